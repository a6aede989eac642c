#!/usr/bin/env node
// npm run package -- --env <name>: the Teams app package a council uploads (build/appPackage.<name>.zip).
//   1. fills the ${{VAR}} placeholders of manifest/manifest.json from env/.env.<name> (then
//      env/.env.<name>.user, then the environment), as the Teams and Agents toolkits do; a placeholder whose
//      value is missing or empty is an error naming it, never an empty string;
//   2. validates the filled manifest against the JSON schema its $schema names, read from the copy that
//      @microsoft/app-manifest ships (never fetched), and checks the icons (sizes; the outline icon white on
//      transparent);
//   3. writes manifest.json, color.png and outline.png into the zip (fixed timestamps: same inputs, same zip).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { PNG } from 'pngjs';
import yazl from 'yazl';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const ICON_SIZES = { color: 192, outline: 32 };

export class AppPackageError extends Error {
  constructor(problems) {
    super(`the Teams app package cannot be built:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AppPackageError';
    this.problems = problems;
  }
}

/** The values for an environment: env/.env.<name>, then env/.env.<name>.user, then `overrides` (the environment). */
export function environmentValues(envName, { root = ROOT, overrides = process.env } = {}) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(envName)) throw new AppPackageError([`--env: "${envName}" is not an environment name (lower-case letters, digits and dashes)`]);
  const file = path.join(root, 'env', `.env.${envName}`);
  if (!fs.existsSync(file)) throw new AppPackageError([`--env: ${path.relative(root, file)} does not exist`]);
  const rel = path.relative(root, file);
  const values = {};
  const sources = {};
  const take = (entries, source) => {
    for (const [k, v] of Object.entries(entries)) {
      if (v === undefined) continue;
      values[k] = v;
      sources[k] = source;
    }
  };
  take(parseEnv(fs.readFileSync(file, 'utf8')), rel);
  if (fs.existsSync(`${file}.user`)) take(parseEnv(fs.readFileSync(`${file}.user`, 'utf8')), `${rel}.user`);
  take(overrides, 'the environment');
  return { values, sources, file: rel };
}

/** The placeholder names a template uses, in order of first use. */
export function placeholdersOf(template) {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Fills every ${{NAME}} in the template text. Values are JSON-escaped (they land inside JSON strings). Every
 * missing or empty value is reported, naming the variable and where it should be set.
 */
export function fillTemplate(template, values, { file = 'the env file', sources = {} } = {}) {
  const problems = [];
  for (const name of placeholdersOf(template)) {
    const value = values[name];
    if (value === undefined) problems.push(`${name}: not set (add it to ${file})`);
    else if (value.trim() === '') problems.push(`${name}: is empty in ${sources[name] ?? file} (an empty value is never put in the manifest)`);
  }
  if (problems.length > 0) throw new AppPackageError(problems);
  return template.replace(PLACEHOLDER, (_, name) => JSON.stringify(values[name].trim()).slice(1, -1));
}

/** The local copy of the schema a manifest's $schema names (the toolkits' own offline copies). */
export function localSchemaFor(schemaUrl) {
  const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?json-schemas\/teams\/(v[0-9.]+|vDevPreview)\/MicrosoftTeams\.schema\.json$/i.exec(schemaUrl ?? '');
  if (!match) throw new AppPackageError([`$schema: "${schemaUrl}" is not a Teams manifest schema URL`]);
  const dir = path.join(path.dirname(require.resolve('@microsoft/app-manifest')), 'json-schemas', 'teams', match[1]);
  const file = path.join(dir, 'MicrosoftTeams.schema.json');
  if (!fs.existsSync(file)) throw new AppPackageError([`$schema: no offline copy of the ${match[1]} schema in @microsoft/app-manifest (it is never fetched)`]);
  // Some published schemas carry \a and \v escapes, which JSON does not have (the toolkits clean them the same way).
  return JSON.parse(fs.readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b'));
}

/** Schema problems of a filled manifest (empty when it validates). */
export async function schemaProblems(manifest) {
  const { AppManifestUtils } = require('@microsoft/app-manifest');
  const errors = await AppManifestUtils.validateAgainstSchema(manifest, localSchemaFor(manifest.$schema));
  return errors.map((e) => `manifest.json${e.startsWith(' ') ? '' : ' '}${e}`);
}

/** Problems with an icon file: its size, and for the outline icon, anything but white on transparent. */
export function iconProblems(file, kind) {
  const name = path.basename(file);
  if (!fs.existsSync(file)) return [`icons.${kind}: ${name} does not exist`];
  let png;
  try {
    png = PNG.sync.read(fs.readFileSync(file));
  } catch (e) {
    return [`icons.${kind}: ${name} is not a PNG (${e.message})`];
  }
  const size = ICON_SIZES[kind];
  const problems = [];
  if (png.width !== size || png.height !== size) problems.push(`icons.${kind}: ${name} is ${png.width}x${png.height}; Teams needs ${size}x${size}`);
  if (kind === 'outline') {
    let transparent = 0, opaque = 0, coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const alpha = png.data[i + 3];
      if (alpha === 0) transparent++;
      else {
        if (alpha === 255) opaque++;
        if (png.data[i] !== 255 || png.data[i + 1] !== 255 || png.data[i + 2] !== 255) coloured++;
      }
    }
    if (coloured > 0) problems.push(`icons.outline: ${name} has ${coloured} visible pixels that are not white (an outline icon is white on transparent)`);
    if (transparent === 0) problems.push(`icons.outline: ${name} has no transparent background`);
    if (opaque === 0) problems.push(`icons.outline: ${name} has nothing fully opaque to see`);
  }
  return problems;
}

function zip(entries, outFile) {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    const mtime = new Date('2026-01-01T00:00:00Z');
    for (const e of entries) z.addBuffer(e.data, e.name, { mtime, mode: 0o100644 });
    z.end();
    z.outputStream.pipe(fs.createWriteStream(outFile)).on('close', resolve).on('error', reject);
  });
}

/** Fills, validates and zips the package for `envName`; returns the zip's path and the filled manifest. */
export async function buildAppPackage(envName, { root = ROOT, overrides = process.env, outFile } = {}) {
  const { values, sources, file } = environmentValues(envName, { root, overrides });
  const manifestDir = path.join(root, 'manifest');
  const template = fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8');
  const text = fillTemplate(template, values, { file, sources });
  const manifest = JSON.parse(text);
  const problems = await schemaProblems(manifest);
  for (const kind of ['color', 'outline']) problems.push(...iconProblems(path.join(manifestDir, manifest.icons?.[kind] ?? `${kind}.png`), kind));
  if (problems.length > 0) throw new AppPackageError(problems);
  const out = outFile ?? path.join(root, 'build', `appPackage.${envName}.zip`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await zip(
    [
      { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { name: manifest.icons.color, data: fs.readFileSync(path.join(manifestDir, manifest.icons.color)) },
      { name: manifest.icons.outline, data: fs.readFileSync(path.join(manifestDir, manifest.icons.outline)) },
    ],
    out,
  );
  return { file: out, manifest };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: npm run package -- --env <name>   (reads env/.env.<name>; writes build/appPackage.<name>.zip)\n');
    process.exit(0);
  }
  const i = args.indexOf('--env');
  const envName = i >= 0 ? args[i + 1] : undefined;
  if (!envName) {
    process.stderr.write('--env: required, e.g. npm run package -- --env local\n');
    process.exit(2);
  }
  buildAppPackage(envName).then(
    ({ file, manifest }) => process.stdout.write(`${path.relative(process.cwd(), file)}: Teams app ${manifest.id}, manifest ${manifest.manifestVersion}, validated against the schema\n`),
    (e) => {
      process.stderr.write(`${e instanceof AppPackageError ? e.message : e.stack}\n`);
      process.exit(1);
    },
  );
}
