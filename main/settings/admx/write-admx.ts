import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADML_LANGUAGES, type AdmlLanguage, admlXml, admxXml } from './admx-template.js';

/** Writes resources/policy/windows/trayphone.admx and <language>/trayphone.adml (from the repo root). */
const dir = path.join(process.cwd(), 'resources', 'policy', 'windows');
writeFileSync(path.join(dir, 'trayphone.admx'), admxXml());
for (const language of Object.keys(ADML_LANGUAGES) as AdmlLanguage[]) {
  mkdirSync(path.join(dir, language), { recursive: true });
  writeFileSync(path.join(dir, language, 'trayphone.adml'), admlXml(language));
}
