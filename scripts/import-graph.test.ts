import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, readImportGraph } from './import-graph.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('the import graph of the product code', () => {
  it('has no cycles, type imports included (a cycle is one module in two files, or a port that wants a module of its own)', () => {
    expect(findCycles(readImportGraph(ROOT))).toEqual([]);
  });

  it('finds a cycle, including one closed only by a type import', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('reads type-only imports and re-exports as edges', () => {
    const graph = readImportGraph(ROOT);
    // call-steps.ts reaches the engine's ports only through `import type`.
    expect(graph.get('server/calls/call-steps.ts')).toContain('server/calls/ports.ts');
    // database.ts re-exports the connection's types with `export ... from`.
    expect(graph.get('server/store/sqlite/database.ts')).toContain(
      'server/store/sqlite/connection.ts',
    );
  });
});
