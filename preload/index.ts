/**
 * The preload of Trayphone's windows (sandboxed, context-isolated): exposes `window.softphone`
 * (the SoftphoneApi over IPC) and `window.trayphoneShell` (window and app commands, tray-driven
 * events). Bundled to one CommonJS file: a sandboxed preload can require nothing but 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { PRELOAD_GLOBALS } from '../protocol/index.js';
import { type IpcPort, createShellBridge, createSoftphoneBridge } from './bridge.js';

const ipc: IpcPort = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  on: (channel, listener) => {
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown): void => {
      listener(payload);
    };
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBALS.softphone, createSoftphoneBridge(ipc));
contextBridge.exposeInMainWorld(PRELOAD_GLOBALS.shell, createShellBridge(ipc));
