import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepIceAlive } from './ice-restart.js';

/** The part of a mediasoup-client transport keepIceAlive uses: its state events and restartIce. */
class FakeTransport extends EventEmitter {
  closed = false;
  readonly restarts: types.IceParameters[] = [];
  restartIce({ iceParameters }: { iceParameters: types.IceParameters }): Promise<void> {
    this.restarts.push(iceParameters);
    return Promise.resolve();
  }
  state(state: types.ConnectionState): void {
    this.emit('connectionstatechange', state);
  }
}

const pacing = { graceMs: 2_000, retryMs: 2_500, maxAttempts: 3 };
let transport: FakeTransport;
let events: string[];
let requests: number;

function watch(): () => void {
  return keepIceAlive(
    transport as unknown as types.Transport,
    {
      requestRestart: () => {
        requests++;
        return Promise.resolve({
          usernameFragment: `u${String(requests)}`,
          password: `p${String(requests)}`,
          iceLite: true,
        });
      },
      onReconnecting: (on) => events.push(on ? 'reconnecting' : 'back'),
      onGaveUp: () => events.push('gave-up'),
    },
    pacing,
  );
}

beforeEach(() => {
  vi.useFakeTimers();
  transport = new FakeTransport();
  events = [];
  requests = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('keepIceAlive', () => {
  it('leaves a disconnect that heals within the grace alone', async () => {
    watch();
    transport.state('disconnected');
    await vi.advanceTimersByTimeAsync(1_500);
    transport.state('connected');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toBe(0);
    expect(events).toEqual(['reconnecting', 'back']);
  });

  it('restarts a disconnect that outlasts the grace, with the SFU’s new parameters', async () => {
    watch();
    transport.state('disconnected');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(requests).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.restarts).toEqual([{ usernameFragment: 'u1', password: 'p1', iceLite: true }]);
    transport.state('connected');
    expect(events).toEqual(['reconnecting', 'back']);
  });

  it('restarts a failed transport at once, retries while it stays down, then gives up', async () => {
    watch();
    transport.state('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toBe(1);
    // A state change while a retry is due keeps that retry's time.
    transport.state('failed');
    await vi.advanceTimersByTimeAsync(2_500);
    expect(requests).toBe(2);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(requests).toBe(3);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(requests).toBe(3);
    expect(events).toEqual(['reconnecting', 'gave-up']);
  });

  it('starts counting afresh after the transport came back', async () => {
    watch();
    transport.state('failed');
    await vi.advanceTimersByTimeAsync(0);
    transport.state('connected');
    transport.state('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toBe(2);
    expect(events).toEqual(['reconnecting', 'back', 'reconnecting']);
  });

  it('does nothing more once the transport closed or the watch stopped', async () => {
    const stop = watch();
    transport.state('disconnected');
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toBe(0);
    watch();
    transport.state('closed');
    transport.state('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toBe(0);
  });
});
