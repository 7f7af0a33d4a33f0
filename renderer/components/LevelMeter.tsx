import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { micConstraints } from '../app/devices.js';

/**
 * A live microphone level: getUserMedia on the chosen device, an analyser, and a <meter> updated
 * every animation frame. Runs only while the user tests, so the microphone is not held open.
 */
export function LevelMeter({ deviceId }: { deviceId: string }) {
  const { t } = useTranslation();
  const [running, setRunning] = useState(false);
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!running) return;
    let stream: MediaStream | undefined;
    let ctx: AudioContext | undefined;
    let frame = 0;
    let live = true;
    void navigator.mediaDevices
      .getUserMedia({ audio: micConstraints(deviceId) })
      .then((s) => {
        if (!live) {
          for (const track of s.getTracks()) track.stop();
          return;
        }
        stream = s;
        ctx = new AudioContext();
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 512;
        ctx.createMediaStreamSource(s).connect(analyser);
        const data = new Float32Array(analyser.fftSize);
        const tick = () => {
          analyser.getFloatTimeDomainData(data);
          let sum = 0;
          for (const v of data) sum += v * v;
          // RMS to a 0..1 scale that moves visibly for speech.
          setLevel(Math.min(1, Math.sqrt(sum / data.length) * 4));
          frame = requestAnimationFrame(tick);
        };
        tick();
      })
      .catch(() => {
        setRunning(false);
      });
    return () => {
      live = false;
      cancelAnimationFrame(frame);
      for (const track of stream?.getTracks() ?? []) track.stop();
      void ctx?.close().catch(() => undefined);
      setLevel(0);
    };
  }, [running, deviceId]);
  return (
    <div className="level-meter">
      <label htmlFor="mic-level">{t('settings.level')}</label>
      <meter id="mic-level" min={0} max={1} low={0.6} high={0.9} optimum={0.3} value={level} />
      <button
        type="button"
        aria-pressed={running}
        onClick={() => {
          setRunning(!running);
        }}
      >
        {t(running ? 'settings.stopMeter' : 'settings.startMeter')}
      </button>
    </div>
  );
}
