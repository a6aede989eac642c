/**
 * The tab in a real browser against the real server: the bot built and started as `npm start` does
 * (`node dist/index.js`, a temporary SQLite file, the example directory of invented people), a fake Bot
 * Connector on loopback as Teams' service URL (so the cards and messages the bot sends can be read), a fake
 * Entra ID on loopback (its JWKS signs the Teams SSO tokens), and Debian's Chromium through playwright-core.
 *
 * Runs only inside a loopback-only network namespace (../shared/tools/offline), like the Playground test.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { FakeBotConnector, type RecordedCall } from '../support/fakeBotConnector';
import { FakeEntraId } from '../support/fakeEntraId';
import { CHROMIUM_ARGS, ROOT, SCREENSHOTS, waitForUrl } from './playgroundHarness';
import { TENANT, type Person } from '../bot/botHarness';

export const TAB_PORT = 3979;
export const TAB_CLIENT_ID = '5d1c8a4e-2b7f-4c3a-9e6d-0f1a2b3c4d5e';
// The same invented people and tenant as the bot tests (the Agents Playground's tenant, which the development
// sign-in uses).
export { PEOPLE, TENANT, type Person } from '../bot/botHarness';
export type Theme = 'default' | 'dark' | 'contrast';
export const THEMES: Theme[] = ['default', 'dark', 'contrast'];

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export class TabRig {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tab-e2e-'));
  connector!: FakeBotConnector;
  entra!: FakeEntraId;
  browser!: Browser;
  private server: ChildProcess | null = null;
  private seq = 0;
  private runs = 0;

  get base(): string {
    return `http://127.0.0.1:${TAB_PORT}`;
  }

  /** Builds as `npm run build` does: the TypeScript, then the tab's page. */
  static build(): void {
    const tsc = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
    const tab = spawnSync(process.execPath, ['scripts/buildTab.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (tab.status !== 0) throw new Error(`the tab's build failed:\n${tab.stdout}${tab.stderr}`);
  }

  async start(options: { devSignIn: boolean }): Promise<void> {
    this.connector ??= await FakeBotConnector.start();
    this.entra ??= await FakeEntraId.start(TAB_CLIENT_ID);
    const run = ++this.runs;
    this.server = spawn(process.execPath, ['--disable-warning=DEP0111', 'dist/index.js'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CHANNELCHECK_ENV_FILE: path.join(ROOT, 'env/.env.local'),
        CHANNELCHECK_COUNCIL: 'hillingdon',
        CHANNELCHECK_TENANT_COUNCILS: `${TENANT}=hillingdon`,
        CHANNELCHECK_SQLITE_PATH: path.join(this.dir, `run-${run}.db`),
        CHANNELCHECK_SERVICE_URL: this.connector.serviceUrl,
        CHANNELCHECK_ESCALATION_CHANNEL: '19:escalations@thread.tacv2',
        CHANNELCHECK_DISPATCH_POLL_MS: '100',
        CHANNELCHECK_AUTHORITY_HOST: this.entra.authorityHost,
        CHANNELCHECK_TAB_CLIENT_ID: TAB_CLIENT_ID,
        CHANNELCHECK_TAB_DEV_SIGNIN: String(options.devSignIn),
        PORT: String(TAB_PORT),
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = fs.createWriteStream(path.join(this.dir, `server-${run}.log`));
    this.server.stdout?.pipe(log);
    this.server.stderr?.pipe(log);
    await waitForUrl(`${this.base}/readyz`, 60_000);
    if (!this.browser) this.browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  }

  async stopServer(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        resolve();
      }, 10_000);
      server.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      server.kill('SIGTERM');
    });
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.stopServer();
    await this.connector?.close();
    await this.entra?.stop();
  }

  serverLog(): string {
    return `--- page errors\n${this.pageErrors.join('\n')}\n` + fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => `--- ${f} (tail)\n${fs.readFileSync(path.join(this.dir, f), 'utf8').split('\n').slice(-25).join('\n')}`)
      .join('\n');
  }

  /** A page with the tab open on `view`, signed in as `who` through the development sign-in, in `theme`. */
  /** What the pages logged as errors (shown when a test fails). */
  readonly pageErrors: string[] = [];

  async open(who: Person | null, view: string, theme: Theme = 'default', viewport = { width: 1100, height: 900 }): Promise<Page> {
    const page = await this.browser.newPage({ viewport });
    page.on('pageerror', (e) => this.pageErrors.push(`${view}: ${e.stack ?? e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.pageErrors.push(`${view}: console: ${m.text()}`);
    });
    const q = new URLSearchParams({ view, theme, ...(who ? { as: who.aadObjectId } : {}) });
    await page.goto(`${this.base}/tab/?${q.toString()}`, { waitUntil: 'domcontentloaded' });
    return page;
  }

  /**
   * The tab inside a stand-in for the Teams client: a host page on the tab's own origin (the browser serves
   * it from the test, it never reaches the server) frames /tab/ and answers the page's teams-js messages as
   * Teams does: `initialize`, `getContext` (the user and `theme`) and `authentication.getAuthToken`, with a
   * token Entra would issue (signed by the loopback JWKS the server checks). `setTheme` sends a theme change.
   */
  async openInTeams(who: Person, view: string, theme: Theme, token?: string): Promise<{ page: Page; tab: Frame; setTheme: (t: Theme) => Promise<void>; messages: () => Promise<string[]> }> {
    const page = await this.browser.newPage({ viewport: { width: 1100, height: 900 } });
    const sso = token ?? (await this.entra.token(who.aadObjectId, TENANT, { claims: { name: who.name } }));
    const context = { theme, userObjectId: who.aadObjectId, userDisplayName: who.name, userPrincipalName: `${who.name.split(' ')[0]!.toLowerCase()}@council.example`, tid: TENANT, locale: 'en-gb', hostClientType: 'web', frameContext: 'content', entityId: view };
    const runtime = { apiVersion: 4, isLegacyTeams: false, supports: { appInstallDialog: {}, authentication: {}, dialog: {}, pages: { appButton: {}, tabs: {}, config: {}, backStack: {} }, teamsCore: {} } };
    const host = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Teams (stand-in)</title>
<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%}</style></head><body>
<iframe id="tab" title="ChannelCheck" src="/tab/?view=${encodeURIComponent(view)}"></iframe>
<script>
const context = ${JSON.stringify(context)};
const runtime = ${JSON.stringify(JSON.stringify(runtime))};
const token = ${JSON.stringify(sso)};
window.received = [];
window.addEventListener('message', (e) => {
  const m = e.data;
  if (!m || typeof m.func !== 'string' || typeof m.id !== 'number') return;
  window.received.push(m.func);
  const reply = (args) => e.source.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
  if (m.func === 'initialize') reply(['content', 'web', runtime, '2.0.0']);
  else if (m.func === 'getContext') reply([context]);
  else if (m.func === 'authentication.getAuthToken') reply([true, token]);
});
window.setTheme = (theme) => document.getElementById('tab').contentWindow.postMessage({ func: 'themeChange', args: [theme] }, location.origin);
</script></body></html>`;
    await page.route(`${this.base}/__teams-host`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: host }));
    await page.goto(`${this.base}/__teams-host`, { waitUntil: 'domcontentloaded' });
    const frame = await (await page.waitForSelector('iframe#tab')).contentFrame();
    if (!frame) throw new Error('the tab did not load in the host');
    return {
      page,
      tab: frame,
      setTheme: async (t) => void (await page.evaluate(`window.setTheme(${JSON.stringify(t)})`)),
      messages: () => page.evaluate<string[]>('window.received'),
    };
  }

  /** A development sign-in token for `who` (the server must run with it on). */
  async devToken(who: Person): Promise<string> {
    const res = await fetch(`${this.base}/api/tab/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId: who.aadObjectId }) });
    if (!res.ok) throw new Error(`dev sign-in failed: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  // ---- what the store holds, read straight from the SQLite file (read-only) ----

  get dbFile(): string {
    return path.join(this.dir, `run-${this.runs}.db`);
  }

  private rows(sql: string, ...params: unknown[]): any[] {
    const db = new Database(this.dbFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params);
    } finally {
      db.close();
    }
  }

  decisionIds(): string[] {
    return this.rows('select id from decisions order by created_at').map((r) => r.id as string);
  }

  approvalIdFor(decisionId: string): string {
    return this.rows('select id from approval_requests where decision_id = ?', decisionId)[0]?.id;
  }

  approvalStatus(approvalId: string): string {
    return this.rows('select status from approval_requests where id = ?', approvalId)[0]?.status;
  }

  escalationIdFor(decisionId: string): string {
    return this.rows('select id from escalations where decision_id = ?', decisionId)[0]?.id;
  }

  escalationStatus(escalationId: string): string {
    return this.rows('select status from escalations where id = ?', escalationId)[0]?.status;
  }

  /** Timers for the alert that could still fire. */
  pendingTimers(escalationId: string): number {
    return this.rows('select count(*) as n from timers where ref_id = ? and fired_at is null and cancelled_at is null', escalationId)[0].n;
  }

  // ---- the bot, spoken to as Teams does (anonymous local mode: no Bot Connector token) ----

  private activity(from: Person) {
    return {
      channelId: 'msteams',
      serviceUrl: this.connector.serviceUrl,
      from,
      recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
      conversation: { id: `a:personal-${from.aadObjectId}`, conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: 'en-GB',
      timestamp: new Date().toISOString(),
    };
  }

  async post(body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  message(from: Person, text: string) {
    return this.post({ ...this.activity(from), type: 'message', id: `m-${++this.seq}`, text });
  }

  invoke(from: Person, verb: string, data: Record<string, unknown>, replyToId?: string) {
    return this.post({ ...this.activity(from), type: 'invoke', name: 'adaptiveCard/action', id: `i-${++this.seq}`, ...(replyToId ? { replyToId } : {}), value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } } });
  }

  install(from: Person) {
    return this.post({ ...this.activity(from), type: 'installationUpdate', action: 'add', id: `u-${++this.seq}` });
  }

  /** Cards the bot posted or updated in a person's chat, oldest first. */
  cardsTo(person: Person): Array<{ call: RecordedCall; card: any }> {
    return this.connector.calls
      .filter((c) => c.effective && ['sendActivity', 'replyToActivity', 'updateActivity'].includes(c.operation) && c.conversationId === `a:personal-${person.aadObjectId}`)
      .flatMap((call) => {
        const att = (call.body as any)?.attachments?.[0];
        return att?.contentType === 'application/vnd.microsoft.card.adaptive' ? [{ call, card: att.content }] : [];
      });
  }

  textsTo(person: Person): string[] {
    return this.connector.calls
      .filter((c) => c.effective && (c.operation === 'sendActivity' || c.operation === 'replyToActivity') && c.conversationId === `a:personal-${person.aadObjectId}`)
      .map((c) => (c.body as any)?.text)
      .filter((t): t is string => typeof t === 'string');
  }

  /** Waits until `check` holds (the dispatcher delivers in the background). */
  async until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
    const stop = Date.now() + ms;
    while (Date.now() < stop) {
      if (check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** axe-core's WCAG 2.2 A/AA rules on the page as it stands; only serious and critical violations. */
export async function seriousViolations(page: Page | Frame): Promise<AxeViolation[]> {
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(AXE_SOURCE);
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] };
  const result = await page.evaluate<{ violations: AxeViolation[] }>(`axe.run(document, ${JSON.stringify(options)})`);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `   ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');
}

export async function tabShot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
