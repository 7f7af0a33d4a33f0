import { beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../test-support.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
import { WriteBehindQueue } from './write-behind.js';

let log: ReturnType<typeof captureLogger>;

/** Records the batches it is handed; `settled()` resolves when the test says so. */
class RecordingWriter implements BatchWriter {
  readonly batches: WriteBatch[] = [];
  write(batch: WriteBatch): void {
    this.batches.push(batch);
  }
  settled(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function makeQueue(intervalMs = 60_000): {
  queue: WriteBehindQueue<string>;
  writer: RecordingWriter;
} {
  const writer = new RecordingWriter();
  const queue = new WriteBehindQueue<string>({
    writer,
    logger: log.logger,
    name: 'test',
    keyLogField: 'key',
    intervalMs,
    toOps: (key, value) => {
      if (value === 'unencodable') throw new Error('cannot encode');
      return [['put', [key, value]]];
    },
  });
  return { queue, writer };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  log = captureLogger();
});

describe('WriteBehindQueue', () => {
  it('hands over nothing until flushed, then everything as one batch', () => {
    const { queue, writer } = makeQueue();
    queue.set('a', '1');
    queue.set('b', '2');
    expect(writer.batches).toEqual([]);
    queue.flushNow();
    expect(writer.batches).toEqual([
      {
        queue: 'test',
        keyLogField: 'key',
        groups: [
          { key: 'a', ops: [['put', ['a', '1']]] },
          { key: 'b', ops: [['put', ['b', '2']]] },
        ],
      },
    ]);
    expect(queue.size).toBe(0);
    queue.flushNow();
    expect(writer.batches).toHaveLength(1); // nothing pending: no empty batch
  });

  it('coalesces by key: only the last value is written', () => {
    const { queue, writer } = makeQueue();
    queue.set('a', '1');
    queue.set('a', '2');
    queue.set('a', '3');
    queue.flushNow();
    expect(writer.batches[0]?.groups).toEqual([{ key: 'a', ops: [['put', ['a', '3']]] }]);
  });

  it('forgets a dropped key', () => {
    const { queue, writer } = makeQueue();
    queue.set('a', '1');
    queue.set('b', '2');
    queue.drop('a');
    queue.flushNow();
    expect(writer.batches[0]?.groups.map((g) => g.key)).toEqual(['b']);
  });

  it('flushes on its timer', async () => {
    const { queue, writer } = makeQueue(5);
    queue.set('a', '1');
    await sleep(50);
    expect(writer.batches).toHaveLength(1);
  });

  it('settled() hands over what is pending first', async () => {
    const { queue, writer } = makeQueue();
    queue.set('a', '1');
    await queue.settled();
    expect(writer.batches).toHaveLength(1);
  });

  it('loses only an entry it cannot turn into statements, and logs it', () => {
    const { queue, writer } = makeQueue();
    queue.set('a', '1');
    queue.set('bad', 'unencodable');
    queue.set('b', '2');
    queue.flushNow();
    expect(writer.batches[0]?.groups.map((g) => g.key)).toEqual(['a', 'b']);
    expect(log.lines.at(-1)).toMatchObject({ msg: 'write-behind entry dropped', key: 'bad' });
  });

  it('hands over what is pending on close and drops later writes with a warning', () => {
    const { queue, writer } = makeQueue();
    queue.set('a', '1');
    queue.close();
    expect(writer.batches).toHaveLength(1);
    queue.set('b', '2');
    queue.flushNow();
    expect(writer.batches).toHaveLength(1);
    expect(log.lines.at(-1)).toMatchObject({ msg: 'write after close dropped', key: 'b' });
  });
});
