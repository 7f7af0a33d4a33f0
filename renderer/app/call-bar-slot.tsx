import { createContext, useContext, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * The bottom of the main window, reserved for the call bar. The shell renders `<CallBarSlot/>`
 * pinned below the scrolling content; the in-call view, which owns the media state, renders its
 * controls into it with `<CallBarPortal>`. Neither side imports the other's components: the
 * slot stays empty (zero height) when no call is shown.
 */
const SlotContext = createContext<{
  element: HTMLElement | null;
  setElement: (el: HTMLElement | null) => void;
}>({ element: null, setElement: () => undefined });

export function CallBarSlotProvider({ children }: { children: ReactNode }) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  return <SlotContext.Provider value={{ element, setElement }}>{children}</SlotContext.Provider>;
}

/** The pinned area itself; `label` names the region for screen readers. */
export function CallBarSlot({ label }: { label: string }) {
  const { setElement } = useContext(SlotContext);
  return (
    <div
      ref={setElement}
      className="call-bar-slot"
      role="region"
      aria-label={label}
      tabIndex={-1}
    />
  );
}

/** Renders its children into the pinned slot (nothing until the slot is mounted). */
export function CallBarPortal({ children }: { children: ReactNode }) {
  const { element } = useContext(SlotContext);
  return element ? createPortal(children, element) : null;
}

/** The slot's element, to move focus there when a call connects. */
export const useCallBarElement = (): HTMLElement | null => useContext(SlotContext).element;
