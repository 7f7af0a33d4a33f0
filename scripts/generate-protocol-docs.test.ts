import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { events, requests, sfuEvents, sfuRequests } from '../protocol/index.js';
import {
  GENERATED_DIR,
  generateProtocolDocs,
  listGeneratedFiles,
  writeProtocolDocs,
} from './generate-protocol-docs.js';

const FIX =
  'docs/generated differs from protocol/: run `npm run docs:protocol` and commit the result';

/** The files of `dir` that differ from what the schemas give, and why. */
function drift(files: Map<string, string>, dir: string): string[] {
  const problems: string[] = [];
  const onDisk = new Set(listGeneratedFiles(dir));
  for (const [relative, text] of files) {
    if (!onDisk.has(relative)) problems.push(`missing ${relative}`);
    else if (readFileSync(path.join(dir, relative), 'utf8') !== text)
      problems.push(`changed ${relative}`);
  }
  for (const stale of onDisk) if (!files.has(stale)) problems.push(`stale ${stale}`);
  return problems;
}

describe('the generated protocol reference', () => {
  const files = generateProtocolDocs();
  const scratch = mkdtempSync(path.join(tmpdir(), 'protocol-docs-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('docs/generated is exactly what the schemas give', () => {
    const problems = drift(files, GENERATED_DIR);
    expect(problems, `${FIX}:\n  ${problems.slice(0, 20).join('\n  ')}`).toEqual([]);
  });

  it('the check sees a changed, a missing and a stale file', () => {
    writeProtocolDocs(scratch);
    expect(drift(files, scratch)).toEqual([]);
    writeFileSync(path.join(scratch, 'openapi.json'), '{}\n');
    rmSync(path.join(scratch, 'json-schema', 'ws.event.call.incoming.json'));
    writeFileSync(path.join(scratch, 'json-schema', 'ws.event.gone.json'), '{}\n');
    expect(drift(files, scratch).sort()).toEqual([
      'changed openapi.json',
      'missing json-schema/ws.event.call.incoming.json',
      'stale json-schema/ws.event.gone.json',
    ]);
    writeProtocolDocs(scratch);
    expect(drift(files, scratch)).toEqual([]);
  });

  it('generates the same text twice (stable order)', () => {
    expect([...generateProtocolDocs()]).toEqual([...files]);
  });

  it('has a schema for every request, response and event of both sockets', () => {
    const tables = [
      ['ws', requests, events],
      ['sfu', sfuRequests, sfuEvents],
    ] as const;
    for (const [channel, requestTable, eventTable] of tables) {
      for (const type of Object.keys(requestTable)) {
        expect(files.has(`json-schema/${channel}.request.${type}.json`), type).toBe(true);
        expect(files.has(`json-schema/${channel}.response.${type}.json`), type).toBe(true);
      }
      for (const type of Object.keys(eventTable)) {
        expect(files.has(`json-schema/${channel}.event.${type}.json`), type).toBe(true);
      }
    }
  });

  it('puts both webhooks under webhooks: and every admin route under paths:', () => {
    const openapi = JSON.parse(files.get('openapi.json') ?? '{}') as {
      openapi: string;
      webhooks: Record<string, unknown>;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.webhooks).sort()).toEqual(['call.ended', 'call.invite']);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/admin/records', '/admin/users', '/api/auth/login', '/healthz']),
    );
    const asyncapi = JSON.parse(files.get('asyncapi.json') ?? '{}') as {
      asyncapi: string;
      channels: Record<string, { address: string }>;
    };
    expect(asyncapi.asyncapi).toBe('3.0.0');
    expect(Object.values(asyncapi.channels).map((c) => c.address)).toEqual(['/sfu', '/ws']);
  });

  it('leaves additionalProperties open on objects that strip unknown members, closed on strict ones', () => {
    const ringEnded = JSON.parse(files.get('json-schema/ws.event.call.ringEnded.json') ?? '{}') as {
      properties: { data: Record<string, unknown> };
    };
    expect(ringEnded.properties.data.additionalProperties).toBeUndefined();
    const ping = JSON.parse(files.get('json-schema/ws.request.ping.json') ?? '{}') as {
      properties: { data: Record<string, unknown> };
    };
    expect(ping.properties.data.additionalProperties).toBe(false);
  });
});
