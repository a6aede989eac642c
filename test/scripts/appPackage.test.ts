/**
 * `npm run package -- --env <name>` builds the Teams app package: the manifest template filled from
 * env/.env.<name>, valid against the official schema (the offline copy in @microsoft/app-manifest), icons at
 * Teams' sizes with a white-on-transparent outline, and exactly three files in the zip.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import yauzl from 'yauzl';
import { COMMAND_HELP } from '../../src/bot/handlers/commandHandlers';

const ROOT = path.resolve(__dirname, '../..');

interface PackageModule {
  buildAppPackage(envName: string, options?: { root?: string; overrides?: Record<string, string | undefined>; outFile?: string }): Promise<{ file: string; manifest: any }>;
  schemaProblems(manifest: unknown): Promise<string[]>;
  iconProblems(file: string, kind: 'color' | 'outline'): string[];
  fillTemplate(template: string, values: Record<string, string>, where?: { file?: string }): string;
  AppPackageError: new (problems: string[]) => Error & { problems: string[] };
}
interface IconModule {
  drawColorIcon(): Buffer;
  drawOutlineIcon(): Buffer;
}
const load = async () => (await import(path.join(ROOT, 'scripts/packageApp.mjs'))) as PackageModule;

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject).on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) =>
      zip.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      }),
    );
    zip.readEntry();
  });
  return files;
}

/** A throwaway project root with the real manifest/ and one env file, so a test can break either. */
function scratchRoot(envName: string, envText: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-apppkg-'));
  fs.cpSync(path.join(ROOT, 'manifest'), path.join(dir, 'manifest'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'env'));
  fs.writeFileSync(path.join(dir, 'env', `.env.${envName}`), envText);
  return dir;
}

const VALID_ENV = [
  'TEAMS_APP_ID=6b1f3c2e-4a5d-4e8f-9c0b-1d2e3f4a5b6c',
  'BOT_ID=00000000-0000-0000-0000-0000000000b0',
  'AAD_APP_CLIENT_ID=00000000-0000-0000-0000-0000000000b0',
  'TAB_DOMAIN=cc.example.org',
  'TAB_ENDPOINT=https://cc.example.org',
].join('\n');

describe('Teams app package (npm run package)', function () {
  this.timeout(60_000);

  for (const envName of ['local', 'dev']) {
    it(`builds and validates the package for ${envName}`, async () => {
      const { buildAppPackage, schemaProblems, iconProblems } = await load();
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-apppkg-')), `appPackage.${envName}.zip`);
      const { file } = await buildAppPackage(envName, { overrides: {}, outFile: out });
      const files = await unzip(file);
      assert.deepEqual([...files.keys()].sort(), ['color.png', 'manifest.json', 'outline.png']);

      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
      assert.deepEqual(await schemaProblems(manifest), []);
      assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/, 'every placeholder is filled');
      const env = fs.readFileSync(path.join(ROOT, 'env', `.env.${envName}`), 'utf8');
      const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(env)?.[1];
      assert.equal(manifest.id, value('TEAMS_APP_ID'));
      assert.equal(manifest.bots[0].botId, value('BOT_ID'));
      assert.deepEqual(manifest.validDomains, [value('TAB_DOMAIN')]);
      assert.deepEqual(manifest.webApplicationInfo, { id: value('AAD_APP_CLIENT_ID'), resource: `api://${value('TAB_DOMAIN')}/${value('AAD_APP_CLIENT_ID')}` });
      const tabs = manifest.staticTabs.filter((t: any) => t.contentUrl);
      assert.deepEqual(tabs.map((t: any) => t.name), ['My checks', 'Approvals', 'Policy']);
      for (const t of tabs) assert.ok(t.contentUrl.startsWith(`${value('TAB_ENDPOINT')}/tab/`), `${t.name} is served by the bot's own server`);

      for (const kind of ['color', 'outline'] as const) {
        const unpacked = path.join(path.dirname(out), `${kind}.png`);
        fs.writeFileSync(unpacked, files.get(`${kind}.png`)!);
        assert.deepEqual(iconProblems(unpacked, kind), []);
      }
      const color = PNG.sync.read(files.get('color.png')!);
      const outline = PNG.sync.read(files.get('outline.png')!);
      assert.deepEqual([color.width, color.height, outline.width, outline.height], [192, 192, 32, 32]);
      const alphas = new Set<number>();
      for (let i = 0; i < outline.data.length; i += 4) {
        alphas.add(outline.data[i + 3]!);
        if (outline.data[i + 3]! > 0) assert.deepEqual([...outline.data.subarray(i, i + 3)], [255, 255, 255], 'every visible outline pixel is white');
      }
      assert.ok(alphas.has(0) && alphas.has(255), 'the outline icon is white on a transparent background');
    });
  }

  it('has a bot for personal chats and the escalation channel, with the bot\'s own command list', async () => {
    const { buildAppPackage } = await load();
    const { manifest } = await buildAppPackage('local', { overrides: {}, outFile: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-apppkg-')), 'p.zip') });
    const bot = manifest.bots[0];
    assert.deepEqual(bot.scopes, ['personal', 'team']);
    const personal = bot.commandLists.find((l: any) => l.scopes.includes('personal'));
    assert.deepEqual(personal.commands.map((c: any) => c.title), COMMAND_HELP.map((c) => c.name));
    for (const c of ['new check', 'my checks', 'approvals', 'team checks', 'help']) assert.ok(personal.commands.some((x: any) => x.title === c), c);
  });

  it('names every placeholder that is missing or empty, and writes nothing', async () => {
    const { buildAppPackage, AppPackageError } = await load();
    const root = scratchRoot('broken', 'TEAMS_APP_ID=6b1f3c2e-4a5d-4e8f-9c0b-1d2e3f4a5b6c\nBOT_ID=\nTAB_DOMAIN=   \n');
    await assert.rejects(buildAppPackage('broken', { root, overrides: {} }), (e: Error & { problems: string[] }) => {
      assert.ok(e instanceof AppPackageError);
      assert.deepEqual(e.problems, [
        'BOT_ID: is empty in env/.env.broken (an empty value is never put in the manifest)',
        'TAB_ENDPOINT: not set (add it to env/.env.broken)',
        'TAB_DOMAIN: is empty in env/.env.broken (an empty value is never put in the manifest)',
        'AAD_APP_CLIENT_ID: not set (add it to env/.env.broken)',
      ]);
      return true;
    });
    assert.equal(fs.existsSync(path.join(root, 'build')), false);
  });

  it('refuses a filled manifest the schema refuses (an app id that is not a GUID), naming the field', async () => {
    const { buildAppPackage } = await load();
    const root = scratchRoot('bad', VALID_ENV.replace('TEAMS_APP_ID=6b1f3c2e-4a5d-4e8f-9c0b-1d2e3f4a5b6c', 'TEAMS_APP_ID=not-a-guid'));
    await assert.rejects(buildAppPackage('bad', { root, overrides: {} }), (e: Error & { problems: string[] }) => {
      assert.ok(e.problems.some((p) => p.startsWith('manifest.json /id ')), e.message);
      return true;
    });
  });

  it('escapes values into JSON: a quote in a value cannot add fields to the manifest', async () => {
    const { fillTemplate } = await load();
    const filled = fillTemplate('{"id": "${{TEAMS_APP_ID}}"}', { TEAMS_APP_ID: 'x", "extra": "y' });
    assert.deepEqual(Object.keys(JSON.parse(filled)), ['id']);
  });

  it('refuses icons of the wrong size, and an outline icon that is not white on transparent', async () => {
    const { iconProblems } = await load();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-icons-'));
    const write = (name: string, size: number, pixel: (i: number) => [number, number, number, number]) => {
      const png = new PNG({ width: size, height: size });
      for (let i = 0; i < size * size; i++) png.data.set(pixel(i), i * 4);
      fs.writeFileSync(path.join(dir, name), PNG.sync.write(png));
      return path.join(dir, name);
    };
    assert.deepEqual(iconProblems(write('c.png', 96, () => [0, 110, 120, 255]), 'color'), ['icons.color: c.png is 96x96; Teams needs 192x192']);
    assert.deepEqual(iconProblems(write('o.png', 32, () => [255, 255, 255, 255]), 'outline'), ['icons.outline: o.png has no transparent background']);
    assert.match(iconProblems(write('t.png', 32, (i) => (i % 2 ? [0, 110, 120, 255] : [255, 255, 255, 0])), 'outline')[0]!, /visible pixels that are not white/);
  });

  it('ships the icons scripts/drawIcons.mjs draws', async () => {
    const icons = (await import(path.join(ROOT, 'scripts/drawIcons.mjs'))) as IconModule;
    assert.ok(icons.drawColorIcon().equals(fs.readFileSync(path.join(ROOT, 'manifest/color.png'))), 'manifest/color.png is up to date (npm run icons)');
    assert.ok(icons.drawOutlineIcon().equals(fs.readFileSync(path.join(ROOT, 'manifest/outline.png'))), 'manifest/outline.png is up to date (npm run icons)');
  });

  it('npm run package -- --env local writes build/appPackage.local.zip, and exits 2 without --env', () => {
    const ok = spawnSync(process.execPath, ['scripts/packageApp.mjs', '--env', 'local'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /appPackage\.local\.zip: Teams app .*validated against the schema/);
    assert.ok(fs.existsSync(path.join(ROOT, 'build/appPackage.local.zip')));
    const missing = spawnSync(process.execPath, ['scripts/packageApp.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--env: required/);
  });
});
