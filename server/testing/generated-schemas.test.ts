import { describe, expect, it } from 'vitest';
import { generatedSchemaProblem } from './generated-schemas.js';

describe('the published JSON Schemas applied to frames', () => {
  it('passes a frame as the server sends it and names the schema and path of one it would not', () => {
    const ended = { type: 'call.ringEnded', data: { callId: 'call-0001', reason: 'timeout' } };
    expect(generatedSchemaProblem('ws', 'event', 'call.ringEnded', ended)).toBeUndefined();
    const bad = { ...ended, data: { ...ended.data, reason: 'accepted' } }; // removed from the schema
    expect(generatedSchemaProblem('ws', 'event', 'call.ringEnded', bad)).toMatch(
      /^off ws\.event\.call\.ringEnded\.json: \/data\/reason /,
    );
  });

  it('checks responses and errors of both sockets, and says when no schema is published', () => {
    expect(
      generatedSchemaProblem('ws', 'response', 'call.ack', { id: 1, ok: true, data: {} }),
    ).toBe(undefined);
    expect(generatedSchemaProblem('ws', 'response', 'call.ack', { id: 1, ok: true })).toMatch(
      /^off ws\.response\.call\.ack\.json/,
    );
    const error = { id: 2, ok: false, error: { code: 'not-found', message: 'no such call' } };
    expect(generatedSchemaProblem('ws', 'error', undefined, error)).toBeUndefined();
    expect(generatedSchemaProblem('sfu', 'error', undefined, { id: 2, ok: false })).toMatch(
      /^off sfu\.error\.json/,
    );
    expect(generatedSchemaProblem('ws', 'event', 'no.such.event', {})).toBe(
      'no published schema ws.event.no.such.event.json',
    );
  });
});
