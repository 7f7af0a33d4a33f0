import { useEffect } from 'react';

/**
 * The live call's microphone, for what acts on it from outside the call view: the desktop's
 * global mute hotkey (`shell:mute-toggle`) and a USB headset's mute button, and the headset's
 * mute LED that shows it. The call view registers its own toggle (use-media-call's, so a
 * moderator's mute holds); with no call view mounted nothing is registered and a toggle does
 * nothing. One page has at most one call view, so one registration.
 */
export interface MicrophoneControl {
  toggle: () => void;
  muted: boolean;
}

type Listener = (muted: boolean | undefined) => void;

class CallMicrophone {
  private control: MicrophoneControl | undefined;
  private readonly listeners = new Set<Listener>();

  /** The call view's control; returns the unregister function. */
  register(control: MicrophoneControl): () => void {
    this.control = control;
    this.emit();
    return () => {
      if (this.control !== control) return;
      this.control = undefined;
      this.emit();
    };
  }

  /** Toggles the live call's microphone; false when no call view is there to do it. */
  toggle(): boolean {
    if (!this.control) return false;
    this.control.toggle();
    return true;
  }

  /** Muted or not; undefined without a live call view. */
  muted(): boolean | undefined {
    return this.control?.muted;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.control?.muted);
  }
}

export const callMicrophone = new CallMicrophone();

/** The call view registers its microphone while mounted (and again when it changes). */
export function useCallMicrophone(toggle: () => void, muted: boolean): void {
  useEffect(() => callMicrophone.register({ toggle, muted }), [toggle, muted]);
}
