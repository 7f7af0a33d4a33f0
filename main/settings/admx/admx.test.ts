import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { policySchema } from '../policy.js';
import { POLICY_REGISTRY_KEY, loadRegistryPolicy } from '../registry-policy.js';
import { admlXml, admxXml } from './admx-template.js';

/**
 * The shipped ADMX/ADML, read as Group Policy reads them, checked against the policy schema: every
 * key of the schema has a policy writing it where settings/registry-policy.ts reads it, with a
 * matching value type, and what Group Policy would write for them loads as a valid policy.
 */
const dir = path.resolve(import.meta.dirname, '../../../resources/policy/windows');
const admxText = readFileSync(path.join(dir, 'trayphone.admx'), 'utf8');
const admlText = readFileSync(path.join(dir, 'en-US', 'trayphone.adml'), 'utf8');

/**
 * The DOM parts used here. @xmldom/xmldom (electron-builder's, through plist) is loaded without
 * its typings: they pull the DOM lib into main's Node-only program.
 */
interface Element {
  nodeType: number;
  localName: string;
  textContent: string | null;
  childNodes: ArrayLike<Element>;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<Element>;
}
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (options: { onError: (level: string, message: string) => void }) => {
    parseFromString(text: string, mimeType: string): { documentElement: Element | null };
  };
};

function parse(text: string): Element {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(text, 'text/xml');
  if (errors.length > 0) throw new Error(errors.join('; '));
  if (!doc.documentElement) throw new Error('no document element');
  return doc.documentElement;
}

const children = (el: Element, name?: string): Element[] =>
  Array.from(el.childNodes).filter(
    (n) => n.nodeType === 1 && (name === undefined || n.localName === name),
  );
const descendants = (el: Element, name: string): Element[] =>
  Array.from(el.getElementsByTagName(name));

type Kind = 'boolean' | 'string' | 'enum' | 'strings' | 'list';
type Written = { kind: Kind; values?: string[] };
const ELEMENT_KINDS = new Map<string, Kind>([
  ['text', 'string'],
  ['enum', 'enum'],
  ['boolean', 'boolean'],
  ['multiText', 'strings'],
  ['list', 'list'],
]);

/** registry path (lower case) + value name (lower case) → what the ADMX writes there. */
function writtenValues(admx: Element): Map<string, Written> {
  const out = new Map<string, Written>();
  for (const policy of descendants(admx, 'policy')) {
    const key = policy.getAttribute('key') ?? '';
    const valueName = policy.getAttribute('valueName');
    if (valueName) {
      const on = descendants(policy, 'enabledValue')[0];
      const off = descendants(policy, 'disabledValue')[0];
      expect(on && descendants(on, 'decimal')[0]?.getAttribute('value')).toBe('1');
      expect(off && descendants(off, 'decimal')[0]?.getAttribute('value')).toBe('0');
      out.set(`${key}|${valueName}`.toLowerCase(), { kind: 'boolean' });
    }
    for (const elements of children(policy, 'elements')) {
      for (const el of children(elements)) {
        // xmldom answers '' for a missing attribute.
        const elKey = el.getAttribute('key') || key;
        const name = el.getAttribute('valueName') ?? '';
        const kind = ELEMENT_KINDS.get(el.localName);
        if (!kind) throw new Error(`unexpected ADMX element ${el.localName}`);
        const values =
          kind === 'enum' ? descendants(el, 'string').map((s) => s.textContent ?? '') : undefined;
        out.set(`${elKey}|${name}`.toLowerCase(), { kind, ...(values ? { values } : {}) });
      }
    }
  }
  return out;
}

type Schema = z.ZodType;
const unwrap = (schema: Schema): Schema => {
  let s = schema;
  while (s instanceof z.ZodOptional) s = s.unwrap() as Schema;
  return s;
};

/** What the schema expects at each registry location (the layout registry-policy.ts reads). */
function expectedValues(): Map<string, Written> {
  const out = new Map<string, Written>();
  const root = 'Software\\Policies\\Trayphone';
  const leaf = (key: string, name: string, schema: Schema): void => {
    const s = unwrap(schema);
    const at = `${key}|${name}`.toLowerCase();
    if (s instanceof z.ZodBoolean) out.set(at, { kind: 'boolean' });
    else if (s instanceof z.ZodEnum) out.set(at, { kind: 'enum', values: s.options as string[] });
    else if (s instanceof z.ZodString) out.set(at, { kind: 'string' });
    else if (s instanceof z.ZodArray) out.set(at, { kind: 'strings' });
    else if (s instanceof z.ZodObject) {
      for (const [field, f] of Object.entries<Schema>(s.shape)) {
        leaf(`${key}\\${name}`, field, f);
      }
    } else throw new Error(`no registry form for ${name}`);
  };
  for (const [name, schema] of Object.entries(policySchema.shape as Record<string, Schema>)) {
    if (name === 'locked') out.set(`${root}\\Locked|`.toLowerCase(), { kind: 'list' });
    else if (name === 'enforced' || name === 'defaults') {
      const section = `${root}\\${name}`;
      const shape = (unwrap(schema) as z.ZodObject).shape as Record<string, Schema>;
      for (const [setting, s] of Object.entries(shape)) leaf(section, setting, s);
    } else leaf(root, name, schema);
  }
  return out;
}

describe('ADMX/ADML template', () => {
  const admx = parse(admxText);
  const adml = parse(admlText);

  it('is what the generator makes from the current schema (regenerate: npx tsx main/settings/admx/write-admx.ts)', () => {
    expect(admxText).toBe(admxXml());
    expect(admlText).toBe(admlXml());
  });

  it('every policy schema key is written by a policy, with a matching value type', () => {
    const written = writtenValues(admx);
    const expected = expectedValues();
    const missing = [...expected.keys()].filter((k) => !written.has(k));
    expect(missing).toEqual([]);
    for (const [at, want] of expected) {
      const got = written.get(at);
      // A boolean may be the policy's own on/off or a checkbox element: both write DWORD 0/1.
      expect({ at, kind: got?.kind }).toEqual({ at, kind: want.kind });
      if (want.values) expect({ at, values: got?.values }).toEqual({ at, values: want.values });
    }
    // Nothing the reader would refuse: no value outside the schema.
    expect([...written.keys()].filter((k) => !expected.has(k))).toEqual([]);
  });

  it('the ADML has every string and presentation the ADMX refers to, and every refId exists', () => {
    const strings = new Set(descendants(adml, 'string').map((s) => s.getAttribute('id')));
    const presentations = new Map(
      descendants(adml, 'presentation').map((p) => [p.getAttribute('id') ?? '', p]),
    );
    for (const ref of admxText.matchAll(/\$\((string|presentation)\.([^)]+)\)/g)) {
      const [, kind, id = ''] = ref;
      if (kind === 'string') expect(strings.has(id), id).toBe(true);
      else expect(presentations.has(id), id).toBe(true);
    }
    for (const policy of descendants(admx, 'policy')) {
      const name = policy.getAttribute('presentation')?.match(/^\$\(presentation\.(.+)\)$/)?.[1];
      const ids = children(policy, 'elements').flatMap((e) =>
        children(e).map((el) => el.getAttribute('id')),
      );
      if (name === undefined) {
        expect(ids).toEqual([]);
        continue;
      }
      const refIds = Array.from(presentations.get(name)?.childNodes ?? [])
        .filter((n): n is Element => n.nodeType === 1)
        .map((el) => el.getAttribute('refId'));
      expect(refIds.sort()).toEqual([...ids].sort());
    }
  });

  it('what Group Policy writes for these policies loads as a valid policy', () => {
    // `reg query /s` output for a typical deployment, built from the ADMX's own keys and names.
    const written = writtenValues(admx);
    const values: Record<string, string> = {
      'software\\policies\\trayphone|serverurl': 'REG_SZ    https://phone.example.com',
      'software\\policies\\trayphone|clicktocall': 'REG_DWORD    0x1',
      'software\\policies\\trayphone\\autoupdate|enabled': 'REG_DWORD    0x0',
      'software\\policies\\trayphone\\autoupdate|feedurl':
        'REG_SZ    https://updates.example.com/tp/',
      'software\\policies\\trayphone\\crmscreenpop|template':
        'REG_SZ    https://crm.example.com/?c={caller}',
      'software\\policies\\trayphone\\crmscreenpop|when': 'REG_SZ    answered',
      'software\\policies\\trayphone\\enforced|callwaiting': 'REG_DWORD    0x1',
      'software\\policies\\trayphone\\enforced\\hotkeys|answer': 'REG_SZ    Alt+F9',
      'software\\policies\\trayphone\\enforced\\hotkeys|decline': 'REG_SZ    Alt+F10',
      'software\\policies\\trayphone\\enforced\\hotkeys|hangup': 'REG_SZ    ',
      'software\\policies\\trayphone\\enforced\\hotkeys|mute': 'REG_SZ    Alt+F12',
      'software\\policies\\trayphone\\defaults|language': 'REG_SZ    zh-CN',
      'software\\policies\\trayphone\\defaults|favourites': 'REG_MULTI_SZ    alice\\0bob',
      'software\\policies\\trayphone\\locked|': 'REG_SZ    ringtone',
    };
    const byKey = new Map<string, string[]>();
    for (const [at, data] of Object.entries(values)) {
      expect(written.has(at), at).toBe(true);
      const [key = '', name = ''] = at.split('|');
      const lines = byKey.get(key) ?? [];
      lines.push(`    ${name === '' ? '1' : name}    ${data}`.replace(/ +$/, ''));
      byKey.set(key, lines);
    }
    const output = [...byKey]
      .map(([key, lines]) => `HKEY_LOCAL_MACHINE\\${key}\n${lines.join('\n')}\n`)
      .join('\n');
    const load = loadRegistryPolicy({
      query: (key) => (key === POLICY_REGISTRY_KEY ? output : null),
    });
    expect(load.error).toBeUndefined();
    expect(load.policy).toMatchObject({
      serverUrl: 'https://phone.example.com',
      clickToCall: true,
      autoUpdate: { enabled: false, feedUrl: 'https://updates.example.com/tp/' },
      crmScreenPop: { template: 'https://crm.example.com/?c={caller}', when: 'answered' },
      enforced: {
        callWaiting: true,
        hotkeys: { answer: 'Alt+F9', decline: 'Alt+F10', hangup: '', mute: 'Alt+F12' },
      },
      defaults: { language: 'zh-CN', favourites: ['alice', 'bob'] },
      locked: ['ringtone'],
    });
  });

  it('the zh-CN ADML is generated too, with the same strings and presentations, all translated', () => {
    const zhText = readFileSync(path.join(dir, 'zh-CN', 'trayphone.adml'), 'utf8');
    expect(zhText).toBe(admlXml('zh-CN'));
    const zh = parse(zhText);
    const idsOf = (doc: Element, tag: string) =>
      descendants(doc, tag).map((e) => e.getAttribute('id') ?? '');
    expect(idsOf(zh, 'string')).toEqual(idsOf(adml, 'string'));
    expect(idsOf(zh, 'presentation')).toEqual(idsOf(adml, 'presentation'));
    // The element references of each presentation match the English one's.
    const refs = (doc: Element) =>
      descendants(doc, 'presentation').map((p) =>
        Array.from(p.childNodes)
          .filter((n) => n.nodeType === 1)
          .map((n) => n.getAttribute('refId')),
      );
    expect(refs(zh)).toEqual(refs(adml));
    // Every string has Chinese text but the product name.
    const untranslated = descendants(zh, 'string')
      .filter((e) => !/[\u4e00-\u9fff]/.test(e.textContent ?? ''))
      .map((e) => e.getAttribute('id'));
    expect(untranslated).toEqual(['Trayphone']);
  });
});
