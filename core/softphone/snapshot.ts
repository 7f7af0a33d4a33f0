import type { SoftphoneConnection, SoftphoneSnapshot } from '../../protocol/index.js';
import type { Session } from './session.js';

/** The renderer's view of the connection. */
export function connectionOf(session: Session | undefined): SoftphoneConnection {
  if (!session) return 'signed-out';
  if (session.failed) return 'failed';
  switch (session.signaling.state) {
    case 'idle':
    case 'connecting':
      return 'connecting';
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return 'reconnecting';
    case 'closed':
      return 'failed'; // Closed while still signed in: only a fatal error does that.
  }
}

/**
 * Publishes the snapshot: many changes in one turn (a hello resyncing ten calls) make one
 * snapshot, a microtask later, and a snapshot equal to the last one is not sent again (each
 * crosses IPC in Electron).
 */
export class SnapshotPublisher {
  private queued = false;
  private lastJson = '';

  constructor(
    private readonly build: () => SoftphoneSnapshot,
    private readonly publish: (snapshot: SoftphoneSnapshot) => void,
  ) {}

  changed(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      const snapshot = this.build();
      const json = JSON.stringify(snapshot);
      if (json === this.lastJson) return;
      this.lastJson = json;
      this.publish(snapshot);
    });
  }
}
