import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { HotkeyCapture } from '../components/HotkeyCapture.js';
import { initI18n } from '../i18n/index.js';

/**
 * Browser entry for HotkeyCapture.chromium.test.ts (never shipped): one press-a-key field after
 * a plain input, its saves recorded on `window.saved`.
 */
declare global {
  interface Window {
    saved: string[];
  }
}
window.saved = [];

function Harness() {
  const [value, setValue] = useState('CommandOrControl+Shift+A');
  return (
    <>
      <input id="before" aria-label="Before" />
      <HotkeyCapture
        name="answer"
        label="Answer"
        value={value}
        disabled={false}
        onSave={(next) => {
          window.saved.push(next);
          setValue(next);
        }}
      />
      <input id="after" aria-label="After" />
    </>
  );
}

const root = document.getElementById('root');
if (root)
  void initI18n('en').then(() => {
    createRoot(root).render(<Harness />);
  });
