import { z } from 'zod';
import { policySchema } from '../policy.js';
import { type AdmlTexts, EN_US } from './adml-en-us.js';
import { ZH_CN } from './adml-zh-cn.js';

/**
 * The Windows Group Policy template (resources/policy/windows/trayphone.admx and
 * en-US/trayphone.adml), generated from the policy schema so that every key has its policy:
 * the registry layout is the one settings/registry-policy.ts reads under
 * HKLM\SOFTWARE\Policies\Trayphone (booleans as DWORD 0/1, strings REG_SZ, lists REG_MULTI_SZ,
 * objects as subkeys, `locked` a list of values). Regenerate with
 * `npx tsx main/settings/admx/write-admx.ts`; admx.test.ts checks the files against the schema.
 */

export const ADMX_ROOT_KEY = 'Software\\Policies\\Trayphone';

export const ADML_LANGUAGES = { 'en-US': EN_US, 'zh-CN': ZH_CN } as const;
export type AdmlLanguage = keyof typeof ADML_LANGUAGES;

const textOf = (texts: AdmlTexts, key: string): string | undefined =>
  (texts.labels as Record<string, string>)[key];
const explainOf = (texts: AdmlTexts, key: string): string =>
  (texts.descriptions as Record<string, string>)[key] ?? '';

type Leaf =
  | { kind: 'boolean'; name: string }
  | { kind: 'string'; name: string; maxLength: number }
  | { kind: 'enum'; name: string; values: readonly string[] }
  | { kind: 'strings'; name: string; maxStrings: number };

type Schema = z.ZodType;

function unwrap(schema: Schema): Schema {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as Schema;
  return s;
}

function shapeOf(schema: Schema): Record<string, Schema> {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) throw new Error('not an object schema');
  return inner.shape;
}

function leafOf(name: string, schema: Schema): Leaf | undefined {
  const s = unwrap(schema);
  if (s instanceof z.ZodBoolean) return { kind: 'boolean', name };
  if (s instanceof z.ZodEnum) return { kind: 'enum', name, values: s.options as string[] };
  if (s instanceof z.ZodString) return { kind: 'string', name, maxLength: s.maxLength ?? 2048 };
  if (s instanceof z.ZodArray) return { kind: 'strings', name, maxStrings: 500 };
  return undefined;
}

interface PolicyDef {
  id: string;
  category: string;
  key: string;
  label: string;
  explain: string;
  /** A boolean policy: Enabled writes 1, Disabled 0 to this value. */
  valueName?: string;
  /** A key of its own for the elements (objects: a subkey). */
  elementKey?: string;
  elements: Leaf[];
  list?: boolean;
}

const label = (texts: AdmlTexts, path: string): string => {
  const text = textOf(texts, path);
  if (text === undefined) throw new Error(`no ADMX label for ${path}`);
  return text;
};

/** One policy per setting; an object setting is one policy with one element per field. */
function settingPolicy(
  texts: AdmlTexts,
  section: 'Enforced' | 'Defaults',
  name: string,
  schema: Schema,
  key: string,
): PolicyDef {
  const id = `${section}_${name}`;
  const base = {
    id,
    category: section,
    key,
    label: label(texts, name),
    explain: explainOf(texts, section),
  };
  const leaf = leafOf(name, schema);
  if (leaf?.kind === 'boolean') return { ...base, valueName: name, elements: [] };
  if (leaf) return { ...base, elements: [leaf] };
  const fields = Object.entries(shapeOf(schema)).map(([field, s]) => {
    const l = leafOf(field, s);
    if (!l) throw new Error(`no ADMX element for ${section}.${name}.${field}`);
    return l;
  });
  return { ...base, elementKey: `${key}\\${name}`, elements: fields };
}

export function policyDefinitions(texts: AdmlTexts = EN_US): PolicyDef[] {
  const root = ADMX_ROOT_KEY;
  const shape = shapeOf(policySchema);
  const defs: PolicyDef[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    if (name === 'enforced' || name === 'defaults') {
      const section = name === 'enforced' ? 'Enforced' : 'Defaults';
      for (const [setting, s] of Object.entries(shapeOf(schema))) {
        defs.push(settingPolicy(texts, section, setting, s, `${root}\\${section}`));
      }
      continue;
    }
    if (name === 'locked') {
      defs.push({
        id: 'locked',
        category: 'Trayphone',
        key: `${root}\\Locked`,
        label: label(texts, name),
        explain: explainOf(texts, 'locked'),
        elements: [],
        list: true,
      });
      continue;
    }
    const leaf = leafOf(name, schema);
    const base = { id: name, category: 'Trayphone', key: root, label: label(texts, name) };
    const explain = explainOf(texts, name);
    if (leaf?.kind === 'boolean') {
      defs.push({ ...base, explain, valueName: name, elements: [] });
      continue;
    }
    if (leaf) {
      defs.push({ ...base, explain, elements: [leaf] });
      continue;
    }
    // An object key (autoUpdate, crmScreenPop): its subkey; a boolean `enabled` is the switch.
    const subkey = name === 'autoUpdate' ? 'AutoUpdate' : name;
    const fields = Object.entries(shapeOf(schema));
    const switchField = fields.find(
      ([f, s]) => f === 'enabled' && leafOf(f, s)?.kind === 'boolean',
    );
    defs.push({
      ...base,
      explain,
      key: `${root}\\${subkey}`,
      ...(switchField ? { valueName: switchField[0] } : {}),
      elements: fields
        .filter(([f]) => f !== switchField?.[0])
        .map(([f, s]) => {
          const l = leafOf(f, s);
          if (!l) throw new Error(`no ADMX element for ${name}.${f}`);
          return l;
        }),
    });
  }
  return defs;
}

/** Texts that make no sense empty (an empty server or feed URL is refused by the schema). */
const REQUIRED_TEXT = new Set(['serverUrl', 'feedUrl']);

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const elementId = (policy: PolicyDef, leaf: Leaf): string => `${policy.id}_${leaf.name}`;
const enumItemLabel = (texts: AdmlTexts, leaf: Leaf, value: string): string =>
  textOf(texts, `${leaf.name === 'when' ? 'crmScreenPop.when' : leaf.name}.${value}`) ?? value;
const leafLabel = (texts: AdmlTexts, policy: PolicyDef, leaf: Leaf): string => {
  const parent = policy.id.replace(/^(Enforced|Defaults)_/, '');
  return textOf(texts, `${parent}.${leaf.name}`) ?? textOf(texts, leaf.name) ?? leaf.name;
};

function elementXml(policy: PolicyDef, leaf: Leaf): string {
  const id = elementId(policy, leaf);
  const key = policy.elementKey ? ` key="${esc(policy.elementKey)}"` : '';
  switch (leaf.kind) {
    case 'boolean':
      return `<boolean id="${id}"${key} valueName="${leaf.name}"><trueValue><decimal value="1" /></trueValue><falseValue><decimal value="0" /></falseValue></boolean>`;
    case 'string':
      return `<text id="${id}"${key} valueName="${leaf.name}" maxLength="${String(leaf.maxLength)}"${REQUIRED_TEXT.has(leaf.name) ? ' required="true"' : ''} />`;
    case 'strings':
      return `<multiText id="${id}"${key} valueName="${leaf.name}" maxStrings="${String(leaf.maxStrings)}" />`;
    case 'enum':
      return [
        `<enum id="${id}"${key} valueName="${leaf.name}" required="true">`,
        ...leaf.values.map(
          (v) =>
            `          <item displayName="$(string.${id}_${v.replace(/[^A-Za-z0-9]/g, '_')})"><value><string>${esc(v)}</string></value></item>`,
        ),
        '        </enum>',
      ].join('\n');
  }
}

export function admxXml(): string {
  const policies = policyDefinitions();
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Generated from main/settings/policy.ts by main/settings/admx/write-admx.ts: do not edit. -->',
    '<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">',
    '  <policyNamespaces>',
    '    <target prefix="trayphone" namespace="Trayphone.Policies.Trayphone" />',
    '  </policyNamespaces>',
    '  <resources minRequiredRevision="1.0" />',
    '  <supportedOn>',
    '    <definitions>',
    '      <definition name="SUPPORTED_Trayphone" displayName="$(string.SUPPORTED_Trayphone)" />',
    '    </definitions>',
    '  </supportedOn>',
    '  <categories>',
    '    <category name="Trayphone" displayName="$(string.Trayphone)" />',
    '    <category name="Enforced" displayName="$(string.Enforced)"><parentCategory ref="Trayphone" /></category>',
    '    <category name="Defaults" displayName="$(string.Defaults)"><parentCategory ref="Trayphone" /></category>',
    '  </categories>',
    '  <policies>',
  ];
  for (const p of policies) {
    const presentation =
      p.elements.length > 0 || p.list ? ` presentation="$(presentation.${p.id})"` : '';
    const valueName = p.valueName ? ` valueName="${p.valueName}"` : '';
    lines.push(
      `    <policy name="${p.id}" class="Machine" displayName="$(string.${p.id})" explainText="$(string.${p.id}_Explain)"${presentation} key="${esc(p.key)}"${valueName}>`,
      `      <parentCategory ref="${p.category}" />`,
      '      <supportedOn ref="SUPPORTED_Trayphone" />',
    );
    if (p.valueName) {
      lines.push(
        '      <enabledValue><decimal value="1" /></enabledValue>',
        '      <disabledValue><decimal value="0" /></disabledValue>',
      );
    }
    if (p.list) {
      lines.push(
        '      <elements>',
        `        <list id="${p.id}_List" key="${esc(p.key)}" />`,
        '      </elements>',
      );
    } else if (p.elements.length > 0) {
      lines.push('      <elements>');
      for (const leaf of p.elements) lines.push(`        ${elementXml(p, leaf)}`);
      lines.push('      </elements>');
    }
    lines.push('    </policy>');
  }
  lines.push('  </policies>', '</policyDefinitions>', '');
  return lines.join('\n');
}

export function admlXml(language: AdmlLanguage = 'en-US'): string {
  const texts = ADML_LANGUAGES[language];
  const policies = policyDefinitions(texts);
  const strings: [string, string][] = Object.entries(texts.fixed);
  const presentations: string[] = [];
  for (const p of policies) {
    const prefix = p.category === 'Trayphone' ? '' : `${p.category}: `;
    strings.push([p.id, `${prefix}${p.label}`], [`${p.id}_Explain`, p.explain]);
    if (p.list) {
      presentations.push(
        `      <presentation id="${p.id}"><listBox refId="${p.id}_List">${esc(p.label)}</listBox></presentation>`,
      );
      continue;
    }
    if (p.elements.length === 0) continue;
    const parts: string[] = [];
    for (const leaf of p.elements) {
      const id = elementId(p, leaf);
      const text = esc(leafLabel(texts, p, leaf));
      switch (leaf.kind) {
        case 'boolean':
          parts.push(`<checkBox refId="${id}">${text}</checkBox>`);
          break;
        case 'string':
          parts.push(`<textBox refId="${id}"><label>${text}</label></textBox>`);
          break;
        case 'strings':
          parts.push(`<multiTextBox refId="${id}">${text}</multiTextBox>`);
          break;
        case 'enum':
          parts.push(`<dropdownList refId="${id}" noSort="true">${text}</dropdownList>`);
          for (const v of leaf.values) {
            strings.push([
              `${id}_${v.replace(/[^A-Za-z0-9]/g, '_')}`,
              enumItemLabel(texts, leaf, v),
            ]);
          }
          break;
      }
    }
    presentations.push(`      <presentation id="${p.id}">${parts.join('')}</presentation>`);
  }
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Generated from main/settings/policy.ts by main/settings/admx/write-admx.ts: do not edit. -->',
    '<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">',
    '  <displayName>Trayphone</displayName>',
    `  <description>${esc(texts.description)}</description>`,
    '  <resources>',
    '    <stringTable>',
    ...strings.map(([id, text]) => `      <string id="${id}">${esc(text)}</string>`),
    '    </stringTable>',
    '    <presentationTable>',
    ...presentations,
    '    </presentationTable>',
    '  </resources>',
    '</policyDefinitionResources>',
    '',
  ].join('\n');
}
