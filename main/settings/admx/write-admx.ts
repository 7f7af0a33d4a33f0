import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { admlXml, admxXml } from './admx-template.js';

/** Writes resources/policy/windows/trayphone.admx and en-US/trayphone.adml (run from the repo root). */
const dir = path.join(process.cwd(), 'resources', 'policy', 'windows');
mkdirSync(path.join(dir, 'en-US'), { recursive: true });
writeFileSync(path.join(dir, 'trayphone.admx'), admxXml());
writeFileSync(path.join(dir, 'en-US', 'trayphone.adml'), admlXml());
