import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForkedChild } from '../support/forked-child.js';
import type { FromGenerator, ToGenerator } from './messages.js';

const GENERATOR_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generator.ts');

/** One forked load generator, seen from the orchestrator: send commands, await its reports. */
export class GeneratorHandle extends ForkedChild<{ to: ToGenerator; from: FromGenerator }> {
  private constructor(
    readonly index: number,
    child: ChildProcess,
  ) {
    super(`generator ${index}`, child);
  }

  static start(index: number, options: { profileDir?: string } = {}): GeneratorHandle {
    const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
    const child = fork(GENERATOR_FILE, [], {
      // A larger young generation: fewer scavenges, each a pause of the generator's own event
      // loop that would show up as server latency (5-15 ms pauses, twice a second, at 16 MB).
      // --expose-gc: each generator collects its set-up garbage before a step (generator.ts).
      execArgv: ['--import', 'tsx', '--max-semi-space-size=64', '--expose-gc', ...profile],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new GeneratorHandle(index, child);
  }
}
