/**
 * Starts the real bot (built and run as `npm start` does, on a temporary SQLite file), two Microsoft 365
 * Agents Playgrounds against it (the practitioner on 56150, the line manager on 56151: the Playground has
 * one user per instance), and Debian's Chromium through playwright-core.
 *
 * Runs only inside a loopback-only network namespace (../shared/tools/offline sets CHANNELCHECK_OFFLINE_NS=1):
 * the Playground and Chromium try to reach the internet, and no test traffic may leave loopback.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../..');
export const BOT_PORT = 3978;
export const PRACTITIONER_PORT = 56150;
export const MANAGER_PORT = 56151;
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function assertOffline(): void {
  if (process.env.CHANNELCHECK_OFFLINE_NS !== '1') {
    throw new Error('the end-to-end test runs only inside a loopback-only network namespace: run it through npm test (which uses ../shared/tools/offline)');
  }
}

export async function waitForUrl(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${ms} ms (${last})`);
}

function logTo(child: ChildProcess, file: string): void {
  const out = fs.createWriteStream(file, { flags: 'a' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
}

export class PlaygroundRig {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-'));
  readonly dbFile = path.join(this.dir, 'channelcheck.db');
  private bot: ChildProcess | null = null;
  private playgrounds: ChildProcess[] = [];
  browser: Browser | null = null;
  practitioner!: Page;
  manager!: Page;

  /** Builds once, as `npm start` does, so the test runs the same compiled bot. */
  build(): void {
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
  }

  /** Starts the compiled bot (`node dist/index.js`, what `npm start` runs) for one council. */
  async startBot(council: string): Promise<void> {
    await this.stopBot();
    this.bot = spawn(process.execPath, ['dist/index.js'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CHANNELCHECK_ENV_FILE: path.join(ROOT, 'env/.env.local'),
        CHANNELCHECK_COUNCIL: council,
        CHANNELCHECK_SQLITE_PATH: this.dbFile,
        CHANNELCHECK_DISPATCH_POLL_MS: '200',
        PORT: String(BOT_PORT),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logTo(this.bot, path.join(this.dir, 'bot.log'));
    await waitForUrl(`http://127.0.0.1:${BOT_PORT}/readyz`, 60_000);
  }

  async stopBot(): Promise<void> {
    const bot = this.bot;
    if (!bot) return;
    this.bot = null;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { bot.kill('SIGKILL'); resolve(); }, 10_000);
      bot.once('exit', () => { clearTimeout(t); resolve(); });
      bot.kill('SIGTERM');
    });
  }

  async startPlaygrounds(): Promise<void> {
    const cli = path.join(ROOT, 'node_modules/@microsoft/m365agentsplayground/cli.js');
    for (const [who, port, config] of [['practitioner', PRACTITIONER_PORT, '.m365agentsplayground.yml'], ['manager', MANAGER_PORT, 'playground/manager.yml']] as const) {
      const child = spawn(process.execPath, [cli, '-e', `http://127.0.0.1:${BOT_PORT}/api/messages`, '-c', 'msteams', '-p', String(port), '--dt'], {
        cwd: this.dir,
        env: {
          ...process.env,
          TEAMSAPPTESTER_BROWSER: 'none',
          M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(ROOT, config),
          M365_AGENTS_PLAYGROUND_LOGFILE: path.join(this.dir, `playground-${who}.log`),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      logTo(child, path.join(this.dir, `playground-${who}.out`));
      this.playgrounds.push(child);
    }
    // A busy port makes the Playground pick another silently: insist on ours.
    await waitForUrl(`http://127.0.0.1:${PRACTITIONER_PORT}/_debug/ping`, 60_000);
    await waitForUrl(`http://127.0.0.1:${MANAGER_PORT}/_debug/ping`, 60_000);
  }

  async startBrowser(): Promise<void> {
    const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    this.browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    this.practitioner = await this.browser.newPage({ viewport: { width: 1280, height: 1100 } });
    this.manager = await this.browser.newPage({ viewport: { width: 1280, height: 1100 } });
  }

  /** Loads a Playground page (which installs the app for that user) and opens the personal chat. */
  async open(page: Page, port: number): Promise<void> {
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'domcontentloaded' });
    await composer(page).waitFor({ timeout: 30_000 });
    await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
    // The install greeting proves the bot got the installation (and stored this user's conversation).
    await page.locator('.ac-adaptiveCard', { hasText: 'can I use WhatsApp for this contact' }).first().waitFor({ timeout: 20_000 });
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    for (const p of this.playgrounds) p.kill('SIGTERM');
    await this.stopBot();
  }

  logs(): string {
    return ['bot.log', 'playground-practitioner.log', 'playground-manager.log']
      .map((f) => path.join(this.dir, f))
      .filter((f) => fs.existsSync(f))
      .map((f) => `--- ${path.basename(f)} (tail)\n${fs.readFileSync(f, 'utf8').split('\n').slice(-30).join('\n')}`)
      .join('\n');
  }
}

export function composer(page: Page): Locator {
  return page.locator('div[role="textbox"][contenteditable="true"]');
}

export async function say(page: Page, text: string): Promise<void> {
  await composer(page).click();
  await page.keyboard.type(text);
  await page.getByRole('button', { name: 'Send Message' }).click();
}

export function cards(page: Page): Locator {
  return page.locator('.ac-adaptiveCard');
}

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** The whole card, however tall (the page shows only part of a long outcome card). */
export async function cardShot(card: Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // The chat pane scrolls: make the window tall enough to show the whole card, then put it back.
  const page = card.page();
  const viewport = page.viewportSize() ?? { width: 1280, height: 1100 };
  const box = await card.boundingBox();
  if (box && box.height + 300 > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.ceil(box.height + 300) });
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize(viewport);
}

/** The first screen of a phone: the Playground draws cards 446 px wide, as a phone does; a phone shows about 800 px of it. */
export const FIRST_SCREEN_PX = 800;

/** The labels of the outcome card's collapsed sections (its Action.ToggleVisibility buttons). */
export const SECTION_BUTTON = /^(For routine contact later|Why \(\d+ reasons?\)|Full checklist \(\d+\)|More messages to send \(\d+\)|Other ways to contact them \(\d+\)|Who to contact \(\d+\)|Case note to copy)/;

/** The top of a card, as a phone shows it first: the card's first 800 px. */
export async function firstScreenShot(card: Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const page = card.page();
  const viewport = page.viewportSize() ?? { width: 1280, height: 1100 };
  if (viewport.height < FIRST_SCREEN_PX + 200) await page.setViewportSize({ width: viewport.width, height: FIRST_SCREEN_PX + 200 });
  await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const box = await card.boundingBox();
  if (!box) throw new Error(`${name}: the card is not shown`);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, FIRST_SCREEN_PX) } });
  await page.setViewportSize(viewport);
}

/** Opens every collapsed section of an outcome card (each button once), except those whose label matches `except`. */
export async function openSections(card: Locator, except?: RegExp): Promise<string[]> {
  const buttons = card.getByRole('button', { name: SECTION_BUTTON });
  const labels = (await buttons.allInnerTexts()).map((t) => t.trim());
  for (const label of labels) {
    if (except?.test(label)) continue;
    const button = card.getByRole('button', { name: label, exact: true });
    await button.click();
  }
  return labels;
}

/** Where a card's parts end, in px from the card's top: the first shown text element that contains each of `texts`. */
export async function bottomsFromTop(card: Locator, texts: readonly string[]): Promise<{ cardHeight: number; bottoms: Array<number | null> }> {
  return card.evaluate((el, wanted) => {
    const top = el.getBoundingClientRect().top;
    const blocks = Array.from(el.querySelectorAll('.ac-textBlock, .ac-richTextBlock')) as unknown as Array<{ offsetParent: unknown; innerText?: string; getBoundingClientRect(): { bottom: number } }>;
    const bottoms = wanted.map((w) => {
      const found = blocks.find((b) => b.offsetParent !== null && (b.innerText ?? '').replace(/\s+/g, ' ').includes(w));
      return found ? Math.round(found.getBoundingClientRect().bottom - top) : null;
    });
    return { cardHeight: Math.round(el.getBoundingClientRect().height), bottoms };
  }, texts);
}
