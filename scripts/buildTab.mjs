#!/usr/bin/env node
// Builds the tab's page into dist/tab/web: index.html and app.css as written, app.js bundled by esbuild from
// src/tab/web/main.ts (with @microsoft/teams-js, the Adaptive Cards renderer, and the bot's presenters with
// the card templates of cards/ bundled in), and the app's icon.
// `npm run build` and `npm start` (when src/ changed) run it after the TypeScript build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'src/tab/web');
const presenters = path.join(root, 'src/bot/presenters');

const require = createRequire(import.meta.url);

/**
 * The presenters read card templates from disk; in the page they come bundled (src/tab/web/cardTemplates.ts).
 * adaptive-expressions (the templating's expression language) is bundled from its own modules, not from its
 * prebuilt browser file, whose inlined `assert` is not callable; the few Node built-ins it and antlr4ts use
 * get small stand-ins (src/tab/web/nodeShims).
 */
const pagePlugin = {
  name: 'channelcheck-page',
  setup(b) {
    b.onResolve({ filter: /^\.\/renderTemplate$/ }, (args) => (path.resolve(args.resolveDir) === presenters ? { path: path.join(web, 'cardTemplates.ts') } : undefined));
    b.onResolve({ filter: /^adaptive-expressions$/ }, () => ({ path: path.join(path.dirname(require.resolve('adaptive-expressions/package.json')), 'lib', 'index.js') }));
    const shims = { assert: 'assert.cjs', util: 'util.ts', os: 'os.ts' };
    b.onResolve({ filter: /^(assert|util|os)$/ }, (args) => ({ path: path.join(web, 'nodeShims', shims[args.path]) }));
  },
};

export async function buildTab(out = path.join(root, 'dist/tab/web')) {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { app: path.join(web, 'main.ts') },
    outdir: out,
    // The card code (presenters, templates, renderer) is a chunk loaded when a card is first opened.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    legalComments: 'linked',
    logLevel: 'warning',
    tsconfig: path.join(web, 'tsconfig.json'),
    plugins: [pagePlugin],
  });
  for (const f of ['index.html', 'app.css']) fs.copyFileSync(path.join(web, f), path.join(out, f));
  fs.copyFileSync(path.join(root, 'manifest/color.png'), path.join(out, 'icon.png'));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildTab().then(
    (out) => process.stderr.write(`built the tab into ${path.relative(process.cwd(), out)}\n`),
    (e) => {
      process.stderr.write(`the tab's build failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
