import { useEffect, useState } from 'react';

/** The time, re-rendering every `everyMs` while `active` (timers, countdowns). */
export function useNow(active = true, everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, everyMs);
    return () => {
      clearInterval(timer);
    };
  }, [active, everyMs]);
  return now;
}
