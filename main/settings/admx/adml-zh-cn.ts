import type { AdmlTexts } from './adml-en-us.js';

/** The zh-CN ADML texts (resources/policy/windows/zh-CN/trayphone.adml): the en-US keys, all. */
export const ZH_CN: AdmlTexts = {
  labels: {
    serverUrl: '服务器网址',
    allowInsecureServer: '允许以明文 http/ws 连接非本机的服务器（仅限实验环境）',
    clickToCall: '点击拨号（tel:、sip:、callto: 链接）',
    autoUpdate: '自动更新',
    'autoUpdate.enabled': '自动更新',
    'autoUpdate.feedUrl': '更新源网址（https）',
    crmScreenPop: 'CRM 弹屏',
    crashReportUploadUrl: '崩溃报告上传服务器（https）',
    'crmScreenPop.template': '网址模板（https；{caller}、{queue}、{callId}）',
    'crmScreenPop.when': '打开时机',
    locked: '锁定的设置（用户保留当前值）',
    language: '语言',
    ringtone: '铃声（classic、chime、pulse）',
    ringingDevice: '响铃设备 ID',
    speakerDevice: '扬声器设备 ID',
    microphoneDevice: '麦克风设备 ID',
    cameraDevice: '摄像头设备 ID',
    callWaiting: '呼叫等待',
    startHidden: '启动时隐藏到托盘',
    launchAtLogin: '登录时启动',
    hotkeys: '全局快捷键',
    'hotkeys.answer': '接听',
    'hotkeys.decline': '拒绝',
    'hotkeys.hangup': '挂断',
    'hotkeys.mute': '静音',
    favourites: '收藏（用户 ID，每行一个）',
    followOsDoNotDisturb: '跟随桌面的勿扰模式',
    'crmScreenPop.when.ringing': '来电响铃时',
    'crmScreenPop.when.answered': '接听时',
    'language.en': '英语',
    'language.zh-CN': '简体中文',
  },
  descriptions: {
    serverUrl:
      '所有用户连接的信令服务器（https；除非允许不安全的服务器，明文 http 只能连接本机）。固定并锁定。',
    allowInsecureServer:
      '已启用：任何服务器都接受明文 http/ws。仅用于测试实验环境：密码和令牌将以明文传输。',
    clickToCall:
      '已启用：Trayphone 处理 tel:、sip: 和 callto: 链接。已禁用：从不处理。未配置：由用户选择。',
    autoUpdate:
      '已启用：Trayphone 从更新源（通过 https 提供、含 latest.yml 的文件夹）自行更新，为所有用户安装时也是如此。已禁用：从不自行更新。未配置：按用户安装时，若设置了更新源则从中更新；按计算机安装（MSI，所有用户）则不更新。更新只在没有进行中的通话时安装。',
    crashReportUploadUrl:
      '崩溃报告（小型转储）始终保存在本机，与日志放在一起。已启用并填写 https 网址：还会上传到该地址（Crashpad，每小时最多一份）。未配置：不上传任何内容。转储包含内存内容，请只指向您自己运行的服务器。',
    crmScreenPop:
      '来电时在浏览器中打开该网址，并填入 {caller}、{queue} 和 {callId}（百分号编码）。仅限 https；模板为空表示关闭弹屏。固定并锁定。',
    locked: '用户不能更改其当前值的设置名称（例如 callWaiting、ringtone）。',
    Enforced: '对所有用户固定，并在设置界面中锁定。',
    Defaults: '初始值；用户可以更改。',
  },
  fixed: {
    Trayphone: 'Trayphone',
    Enforced: '强制设置（固定并锁定）',
    Defaults: '默认设置（用户可以更改）',
    SUPPORTED_Trayphone: 'Trayphone 0.1 及更高版本',
  },
  description: 'Trayphone 桌面软电话策略（HKLM\\SOFTWARE\\Policies\\Trayphone）',
};
