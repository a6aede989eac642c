/**
 * Runs the real application (createApp: restify, CloudAdapter, services, SQLite store, dispatcher) on
 * loopback, with a fake Bot Connector on loopback as the Teams service URL, and speaks to it over HTTP the
 * way Teams does. Invented people from env/directory.example.yaml.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { type App, type AppOptions, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { ROOT } from '../support/runCli';
import { catalogue } from '../support/policies';
import { FakeBotConnector, type RecordedCall } from '../support/fakeBotConnector';

export const TENANT = '11111111-1111-1111-1111-111111111111';
export const PEOPLE = {
  pat: { id: '29:pat', name: 'Pat Practitioner', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001' },
  lee: { id: '29:lee', name: 'Lee Manager', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000002' },
  sam: { id: '29:sam', name: 'Sam Head', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000003' },
  alex: { id: '29:alex', name: 'Alex Newstarter', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000004' },
  jo: { id: '29:jo', name: 'Jo Deputy', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000005' },
  mallory: { id: '29:mallory', name: 'Mallory Outsider', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000000f' },
} as const;
export type Person = (typeof PEOPLE)[keyof typeof PEOPLE];
export const ESCALATION_CHANNEL = '19:escalations@thread.tacv2';

export interface Harness {
  app: App;
  port: number;
  connector: FakeBotConnector;
  dbFile: string;
  logs: string[];
  post(body: unknown, raw?: string): Promise<{ status: number; body: any }>;
  message(from: Person, text: string): Promise<{ status: number; body: any }>;
  invoke(from: Person, verb: string, data: Record<string, unknown>, replyToId?: string): Promise<{ status: number; body: any }>;
  submit(from: Person, value: Record<string, unknown>, replyToId: string): Promise<{ status: number; body: any }>;
  install(from: Person): Promise<{ status: number; body: any }>;
  /** Cards the bot posted to a user's personal conversation, oldest first. */
  cardsTo(person: Person): Array<{ call: RecordedCall; card: any }>;
  textsTo(person: Person): string[];
  /** Waits until the outbox has nothing pending. */
  drain(ms?: number): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function conversationOf(person: Person): string {
  return `a:personal-${person.aadObjectId}`;
}

export interface HarnessOptions {
  council?: string;
  env?: Record<string, string>;
  now?: () => Date;
  dispatch?: boolean;
  connector?: FakeBotConnector;
  dbFile?: string;
  /** Extra headers for each request (e.g. a Bot Connector token for the activity). */
  headers?: (activity: any) => Record<string, string> | Promise<Record<string, string>>;
  /** Extra CA trusted for the bot's login URL (a loopback token endpoint). */
  botAuthorityCa?: string;
  /** Receives every log line as well (a capture that checks what is logged). */
  log?: pino.Logger;
  /** Where the tab's page is served from (default dist/tab/web). */
  tabAssetsDir?: string;
  /** The SQLite store's busy clock and sleep, and its connection once set up (createApp's `sqlite`). */
  sqlite?: AppOptions['sqlite'];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const connector = options.connector ?? (await FakeBotConnector.start());
  const dbFile = options.dbFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bot-')), 'channelcheck.db');
  const logs: string[] = [];
  const policies = catalogue();
  const env = {
    NODE_ENV: 'test',
    PORT: '0',
    CHANNELCHECK_COUNCIL: options.council ?? 'hillingdon',
    CHANNELCHECK_SQLITE_PATH: dbFile,
    CHANNELCHECK_DIRECTORY_FILE: path.join(ROOT, 'env/directory.example.yaml'),
    CHANNELCHECK_SERVICE_URL: connector.serviceUrl,
    CHANNELCHECK_ESCALATION_CHANNEL: ESCALATION_CHANNEL,
    CHANNELCHECK_DISPATCH_POLL_MS: '50',
    ...options.env,
  };
  const log = options.log ?? pino({ level: 'debug' }, new Writable({ write(chunk, _e, cb) { logs.push(String(chunk)); cb(); } }));
  let app: App;
  let port: number;
  const boot = async () => {
    const config = loadConfig(env, [...policies.councils.keys()]);
    app = await createApp({ config, policies, log, ...(options.now ? { now: options.now } : {}), ...(options.botAuthorityCa ? { botAuthorityCa: options.botAuthorityCa } : {}), ...(options.tabAssetsDir ? { tabAssetsDir: options.tabAssetsDir } : {}), dispatch: options.dispatch ?? true, ...(options.sqlite ? { sqlite: options.sqlite } : {}) });
    port = await app.listen();
  };
  await boot();

  const activityBase = (from: Person) => ({
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    from,
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: conversationOf(from), conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-GB',
    timestamp: new Date().toISOString(),
  });
  let seq = 0;
  const post = async (body: unknown, raw?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...((await options.headers?.(body)) ?? {}) },
      body: raw ?? JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };
  const cardsIn = (conversationId: string) =>
    connector.calls
      .filter((c) => c.effective && (c.operation === 'sendActivity' || c.operation === 'replyToActivity') && c.conversationId === conversationId)
      .flatMap((call) => {
        const att = (call.body as any)?.attachments?.[0];
        return att?.contentType === 'application/vnd.microsoft.card.adaptive' ? [{ call, card: att.content }] : [];
      });
  const harness: Harness = {
    get app() { return app; },
    get port() { return port; },
    connector,
    dbFile,
    logs,
    post,
    message: (from, text) => post({ ...activityBase(from), type: 'message', id: `m-${++seq}`, text }),
    invoke: (from, verb, data, replyToId) =>
      post({ ...activityBase(from), type: 'invoke', name: 'adaptiveCard/action', id: `i-${++seq}`, ...(replyToId ? { replyToId } : {}), value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } } }),
    submit: (from, value, replyToId) => post({ ...activityBase(from), type: 'message', id: `s-${++seq}`, replyToId, value }),
    install: (from) => post({ ...activityBase(from), type: 'installationUpdate', action: 'add', id: `u-${++seq}` }),
    cardsTo: (person) => cardsIn(conversationOf(person)),
    textsTo: (person) =>
      connector.calls
        .filter((c) => c.effective && (c.operation === 'sendActivity' || c.operation === 'replyToActivity') && c.conversationId === conversationOf(person))
        .map((c) => (c.body as any)?.text)
        .filter((t): t is string => typeof t === 'string'),
    drain: async (ms = 15_000) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await app.dispatcher.runOnce();
        const rows = countPending(dbFile);
        if (rows === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the outbox did not drain in time');
    },
    restart: async () => {
      await app.close();
      await boot();
    },
    close: async () => {
      await app.close();
      if (!options.connector) await connector.close();
    },
  };
  return harness;
}

/** Rows straight from the SQLite file, read-only: what the store really holds, not what it reports. */
export function queryRows(dbFile: string, sql: string): any[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/** Rows in every table of the store: what "nothing was stored" is checked against. */
export function rowCounts(dbFile: string): Record<string, number> {
  const tables = queryRows(dbFile, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'").map((r) => r.name as string);
  return Object.fromEntries(tables.map((t) => [t, queryRows(dbFile, `select count(*) as n from "${t}"`)[0].n as number]));
}

/** Outbox rows not yet sent or dead-lettered. */
export function countPending(dbFile: string): number {
  return queryRows(dbFile, "select count(*) as n from outbox where status in ('pending', 'in_flight')")[0].n;
}

/** Facts for an ordinary contact: every concern answered no. Tests spread their own on top. */
export const BASE_FACTS = { initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };

/** A whole check as a practitioner does it: `new check`, then every wizard step answered from `facts`; the last card. */
export async function completeCheck(h: Harness, who: Person, facts: Record<string, unknown>): Promise<any> {
  await h.message(who, 'new check');
  let card = h.cardsTo(who).at(-1)!.card;
  for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
    card = (await h.invoke(who, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, facts) })).body.value;
  }
  return card;
}

/** The answers a card's inputs expect, from facts: choice values, "true"/"false", "yes"/"no"/"unknown". */
export function answersFor(card: any, facts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (el: any) => {
    if (!el || typeof el !== 'object') return;
    if (Array.isArray(el)) return el.forEach(visit);
    if (typeof el.type === 'string' && el.type.startsWith('Input.') && typeof el.id === 'string') {
      const v = facts[el.id];
      if (v === undefined) {
        if (el.value !== undefined) out[el.id] = el.value;
      } else if (el.type === 'Input.Toggle') out[el.id] = v ? 'true' : 'false';
      else if (el.type === 'Input.ChoiceSet' && (el.choices ?? []).some((c: any) => c.value === 'yes')) out[el.id] = v === true ? 'yes' : v === false ? 'no' : 'unknown';
      else if (el.type === 'Input.Number') out[el.id] = String(v);
      else out[el.id] = v;
    }
    for (const k of ['body', 'items', 'columns', 'actions']) if (el[k]) visit(el[k]);
  };
  visit(card.body);
  return out;
}

export function actionData(card: any, verb: string): Record<string, unknown> {
  const action = (card.actions ?? []).find((a: any) => a.verb === verb);
  if (!action) throw new Error(`card has no ${verb} action: ${JSON.stringify(card).slice(0, 500)}`);
  return { ...action.data };
}

export function cardText(card: unknown): string {
  return JSON.stringify(card);
}
