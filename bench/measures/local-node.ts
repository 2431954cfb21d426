/** How the bench starts processes that stand for `npm run local`: with its Node.js options. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** The Node.js options `npm run local` starts with, read from package.json's script. */
export function localNodeOptions(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.local!;
  const words = script.split(/\s+/);
  return words.slice(1, words.indexOf('local/cli.ts'));
}
