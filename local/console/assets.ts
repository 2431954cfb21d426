/**
 * The console's and the docs page's files. The console's script is bundled from TypeScript by
 * esbuild on its first request (about 50 ms) and kept; Swagger UI is served from its npm package.
 * Nothing is fetched from the network, so both pages work offline.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: string;
}

export interface ConsoleAssets {
  page(name: 'console' | 'docs'): string;
  /** A file by its name; undefined when there is none. */
  file(name: string): Promise<Asset | undefined>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** A page: its head's title and styles, and its body. */
const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="icon" href="data:,">
  ${head}
</head>
<body>
${body}
</body>
</html>
`;

const DOCS_PAGE = page(
  'movierec API',
  `<link rel="stylesheet" href="/assets/swagger-ui.css">
  <style>body { margin: 0 } .topbar { display: none } .back { font: 14px system-ui, sans-serif; padding: 10px 20px; display: block }</style>`,
  `  <a class="back" href="/">&larr; movierec console</a>
  <div id="docs"></div>
  <script src="/assets/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: true });</script>`,
);

const CONSOLE_PAGE = page(
  'movierec console',
  '<link rel="stylesheet" href="/assets/console.css">',
  `  <header>
    <a class="brand" href="#/">movierec</a>
    <nav>
      <a href="#/">Movies</a>
      <a href="#/users">Users</a>
      <a href="#/runs">Batch runs</a>
      <a href="#/quarantine">Quarantine</a>
      <a href="#/pipeline">Pipeline</a>
      <a href="/docs">API</a>
    </nav>
    <span id="model" class="muted"></span>
  </header>
  <main id="main"><p class="muted">Loading…</p></main>
  <script src="/assets/console.js"></script>`,
);

export function consoleAssets(): ConsoleAssets {
  const files = new Map<string, () => Promise<Asset>>([
    ['console.js', () => bundle(join(HERE, 'web', 'app.ts')).then((body) => ({ type: JS, body }))],
    ['console.css', () => readFile(join(HERE, 'console.css'), 'utf8').then((body) => ({ type: CSS, body }))],
    ['swagger-ui.css', () => readFile(join(SWAGGER_UI, 'swagger-ui.css'), 'utf8').then((body) => ({ type: CSS, body }))],
    ['swagger-ui-bundle.js', () => readFile(join(SWAGGER_UI, 'swagger-ui-bundle.js'), 'utf8').then((body) => ({ type: JS, body }))],
  ]);
  const loaded = new Map<string, Promise<Asset>>();
  return {
    page: (name) => (name === 'docs' ? DOCS_PAGE : CONSOLE_PAGE),
    file: (name) => {
      const load = files.get(name);
      if (!load) return Promise.resolve(undefined);
      let asset = loaded.get(name);
      if (!asset) {
        asset = load();
        loaded.set(name, asset);
        asset.catch(() => loaded.delete(name));
      }
      return asset;
    },
  };
}

async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es2020', write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}
