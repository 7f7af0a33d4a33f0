// The hidden ringer page (main/electron/electron-ports.ts `ringerPort`): loops one tone on the
// chosen output device until main destroys the page. Plain script: no bundler, no Node, sandboxed.
(() => {
  const params = new URLSearchParams(location.search);
  const name = params.get('tone') ?? '';
  const tone = /^[a-z0-9-]{1,32}$/.test(name) ? name : 'classic';
  const file = params.get('mode') === 'discreet' ? 'call-waiting.wav' : `ringtone-${tone}.wav`;
  const sink = params.get('sink') ?? '';
  const audio = new Audio(`../sounds/${file}`);
  audio.loop = true;
  // An unknown ringtone name (e.g. from an older settings file) falls back to the classic one.
  audio.addEventListener(
    'error',
    () => {
      if (!audio.src.endsWith('ringtone-classic.wav')) {
        audio.src = '../sounds/ringtone-classic.wav';
        void audio.play().catch(() => undefined);
      }
    },
    { once: true },
  );
  const start = async () => {
    if (sink !== '' && typeof audio.setSinkId === 'function') {
      // A device that is gone (headset unplugged) rings on the default output instead.
      await audio.setSinkId(sink).catch(() => undefined);
    }
    await audio.play();
  };
  void start().catch(() => undefined);
})();
