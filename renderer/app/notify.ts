/** Failures the UI itself catches (a call that could not be placed): shown as toasts. */
export interface Notice {
  code: string;
  message: string;
}
type Listener = (notice: Notice) => void;
const listeners = new Set<Listener>();

export function notifyError(notice: Notice): void {
  for (const l of listeners) l(notice);
}

export function onNotify(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
