#!/usr/bin/env node
// Builds the tab's page into dist/tab: index.html and app.css as written, app.js bundled by esbuild from
// src/tab/web/main.ts (with @microsoft/teams-js and the Adaptive Cards renderer), and the app's icon.
// `npm run build` and `npm start` (when src/ changed) run it after the TypeScript build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'src/tab/web');

export async function buildTab(out = path.join(root, 'dist/tab')) {
  fs.mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(web, 'main.ts')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    legalComments: 'linked',
    logLevel: 'warning',
    tsconfig: path.join(web, 'tsconfig.json'),
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
