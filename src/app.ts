/**
 * Wires the application together from validated settings: store, directory, services, bot, HTTP server and
 * the outbox dispatcher. index.ts calls this; tests call it too, to run the real thing on loopback.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type restify from 'restify';
import { createAdapter, createBotAuthentication } from './bot/adapter';
import { messageEndpoint } from './bot/messageEndpoint';
import { ChannelCheckBot } from './bot/channelCheckBot';
import { buildCommandRoutes, welcomeCard } from './bot/handlers/commandHandlers';
import { buildVerbRoutes } from './bot/verbRoutes';
import { ConsentService } from './services/consentService';
import type { Config } from './config';
import { councilForTenant, tenantAllowList } from './config';
import type { Directory } from './domain/ports/directory';
import type { ChannelCheckStore } from './domain/ports/store';
import { createDirectory } from './directory/createDirectory';
import type { PolicyCatalogue } from './policyFiles/loadPolicies';
import { createHttpServer } from './server/httpServer';
import { createUserRateLimiter } from './limits/userRateLimiter';
import { createTurnThrottle } from './bot/turnThrottle';
import { Pool } from 'pg';
import { ChecksService } from './services/checksService';
import { DecisionService } from './services/decisionService';
import type { NotificationPlanner } from './services/notificationPlanner';
import { WizardService } from './services/wizardService';
import type BetterSqlite3 from 'better-sqlite3';
import { BOT_BUSY_BUDGET_MS, type BusyRetryOptions } from './store/busyRetry';
import { openStore } from './store/openStore';
import { acquireBotLock, type BotLock, lockPathFor } from './store/sqliteBotLock';
import { OutboxDispatcher } from './notify/outboxDispatcher';
import { TimerLoop } from './notify/timerLoop';
import { BotProactiveSender } from './bot/proactiveSender';
import { ApprovalService } from './services/approvalService';
import { EscalationService } from './services/escalationService';
import { ManagerNotificationPlanner } from './services/managerNotificationPlanner';
import { ALERT_DELIVERY_TIMER_KIND, ESCALATION_TIMER_KIND } from './domain/escalations';
import { retryPolicyFor } from './notify/retryPolicy';
import { retentionDaysByCouncil } from './policyFiles/retentionPeriods';
import { RETENTION_TIMER_KIND, RetentionJob } from './services/retentionJob';
import { escalationChannelWarning } from './productionChecks';
import { isStoreUnavailable, STORE_UNAVAILABLE_WORDS } from './domain/ports/storeUnavailable';
import { createTabTokenVerifier } from './tab/tabTokenVerifier';
import { fixedFieldsLog } from './logging';
import { createDevSignIn, type DevSignIn } from './tab/devSignIn';
import { registerTabRoutes } from './tab/tabRoutes';
import { buildTabApi } from './tab/tabApi';
import { TAB_ASSETS_DIR } from './tab/tabAssets';
import { loadDirectoryFile } from './directory/directoryFile';
import type { JWTVerifyGetKey } from 'jose';

export interface AppOptions {
  config: Config;
  policies: PolicyCatalogue;
  log: Logger;
  /** Overrides for tests: an already-open store, a directory, a clock. */
  store?: ChannelCheckStore;
  directory?: Directory;
  now?: () => Date;
  /** Extra CA trusted for the bot's login URL (tests: the loopback token endpoint). */
  botAuthorityCa?: string | Buffer;
  /** Start the outbox dispatcher and timer loop (default true). */
  dispatch?: boolean;
  /** The signing keys of the tab's Entra tokens (tests: a loopback JWKS); default the authority's JWKS. */
  tabKeys?: JWTVerifyGetKey;
  /** Where the tab's built page is (default dist/tab/web). */
  tabAssetsDir?: string;
  /** Tests, SQLite only: the busy wait's clock and sleep, and the connection once set up (to make it read-only or full). */
  sqlite?: { busy?: Omit<BusyRetryOptions, 'budgetMs'>; onConnection?: (database: BetterSqlite3.Database) => void };
}

/** The Microsoft 365 Agents Playground's tenant (.m365agentsplayground.yml): the development sign-in's, unless one is configured. */
export const LOCAL_TENANT_ID = '11111111-1111-1111-1111-111111111111';

/** The development sign-in, when it is on: the people of the directory file, in the deployment's tenant. */
async function devSignInFor(config: Config, now: () => Date): Promise<DevSignIn | null> {
  if (!config.tab.devSignIn || !config.directory.file) return null;
  const data = loadDirectoryFile(config.directory.file);
  const people = new Map(data.people.map((p) => [p.id, { aadObjectId: p.id, displayName: p.name }]));
  for (const team of data.teams) if (team.headOfService && !people.has(team.headOfService.aadObjectId)) people.set(team.headOfService.aadObjectId, { ...team.headOfService });
  const tenantId = config.bot.tenantId ?? Object.keys(config.tenantCouncils)[0] ?? LOCAL_TENANT_ID;
  return createDevSignIn({ people: [...people.values()], tenantId, now });
}

export interface App {
  config: Config;
  store: ChannelCheckStore;
  adapter: ReturnType<typeof createAdapter>;
  auth: ReturnType<typeof createBotAuthentication>;
  bot: ChannelCheckBot;
  server: restify.Server;
  wizard: WizardService;
  decisions: DecisionService;
  planner: NotificationPlanner;
  approvals: ApprovalService;
  escalations: EscalationService;
  dispatcher: OutboxDispatcher;
  timers: TimerLoop;
  retention: RetentionJob;
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Opens the bot's own store; on SQLite, first takes the file's bot lock (one bot per file). */
async function openBotStore(config: Config, now: () => Date, log: Logger, sqlite: AppOptions['sqlite'] = {}): Promise<{ store: ChannelCheckStore; lock: BotLock | null }> {
  if (config.store.kind === 'postgres') {
    return { store: await openStore({ engine: 'postgres', connectionString: config.store.url, caseRefPattern: config.caseRefPattern, now }), lock: null };
  }
  const file = config.store.path;
  const lock = acquireBotLock(file, (previous, why) => log.warn({ lock: lockPathFor(file), previous, why }, 'took over a stale bot lock on the SQLite file'));
  try {
    const store = await openStore({ engine: 'sqlite', file, caseRefPattern: config.caseRefPattern, now, busy: { ...sqlite.busy, budgetMs: BOT_BUSY_BUDGET_MS }, ...(sqlite.onConnection ? { onConnection: sqlite.onConnection } : {}) });
    return { store, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** /readyz's words for a store check that failed: fixed, with the kind of failure when the store classified it. */
function storeProblem(what: string): (error: unknown) => string {
  return (error) => `store: ${what}${isStoreUnavailable(error) ? ` (${STORE_UNAVAILABLE_WORDS[error.reason]})` : ''}`;
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, policies, log } = options;
  const now = options.now ?? (() => new Date());
  const own = options.store ? null : await openBotStore(config, now, log, options.sqlite);
  const store = options.store ?? own!.store;
  const directory = options.directory ?? (await createDirectory(config, log));
  const auth = createBotAuthentication(config, options.botAuthorityCa ? { authorityCa: options.botAuthorityCa } : {});
  const adapter = createAdapter(config, log, auth);
  const allowedTenants = tenantAllowList(config);
  if (allowedTenants === null && config.nodeEnv === 'production') log.warn('no tenant allow-list: activities from any tenant are served (set CHANNELCHECK_TENANT_COUNCILS, or MicrosoftAppTenantId with CHANNELCHECK_COUNCIL)');
  const planner = new ManagerNotificationPlanner({ directory, config, log });
  // Its one line per decision has fixed fields (ids, outcome, counts): no redaction walk (logging.ts).
  const decisions = new DecisionService({ store, planner, now, log: fixedFieldsLog(log), directory });
  const wizard = new WizardService({ store, policies, config, decisions, now });
  const policyFor = (councilId: string) => policies.councils.get(councilId);
  const approvals = new ApprovalService({ store, decisions, policyFor, now });
  const escalations = new EscalationService({
    store,
    directory,
    decisions,
    policyFor,
    config,
    now,
    log,
    packContacts: (councilId) => {
      const pack = policies.councils.get(councilId);
      return pack ? [...pack.council.data.contacts, ...pack.baseline.data.contacts] : [];
    },
  });
  const sender = new BotProactiveSender({ adapter, references: store, appId: config.bot.appId, serviceUrl: config.serviceUrl, log });
  const dispatcher = new OutboxDispatcher({
    store,
    sender,
    log,
    now,
    pollMs: config.dispatcher.pollMs,
    leaseMs: config.dispatcher.leaseSeconds * 1000,
    retryPolicy: retryPolicyFor(config),
    escalationChannelId: config.escalation.channelConversationId,
    onDelivered: (row, message) => escalations.onAlertDelivered(row, message),
    afterDelivered: (row, message, sent) => escalations.onAlertCopyDelivered(row, message, sent),
  });
  const retention = new RetentionJob({ store, retentionDays: retentionDaysByCouncil(policies), log, now });
  const timers = new TimerLoop({
    store,
    log,
    now,
    pollMs: config.dispatcher.pollMs,
    leaseMs: Math.min(config.dispatcher.leaseSeconds * 1000, 60_000), // a timer's handler is quick; a crashed replica's timers wait at most a minute
    handlers: {
      [ESCALATION_TIMER_KIND]: (timer) => escalations.onTimer(timer),
      [ALERT_DELIVERY_TIMER_KIND]: (timer) => escalations.onDeliveryTimer(timer),
      [RETENTION_TIMER_KIND]: (timer) => retention.onTimer(timer),
    },
  });
  const checks = new ChecksService({ store, directory, decisions, approvals, policyFor });
  const consent = new ConsentService({ store, decisions, caseRefPattern: config.caseRefPattern });
  const councilPolicy = (tenantId: string) => {
    const id = councilForTenant(config, tenantId);
    return id ? (policies.councils.get(id) ?? null) : null;
  };
  const rateLimitPool = config.store.kind === 'postgres' && config.rateLimit.points > 0 ? new Pool({ connectionString: config.store.url, max: 2 }) : null;
  const limiter = await createUserRateLimiter({
    points: config.rateLimit.points,
    windowSeconds: config.rateLimit.windowSeconds,
    keyPrefix: 'bot',
    ...(rateLimitPool ? { postgres: { pool: rateLimitPool } } : {}),
  });
  const bot = new ChannelCheckBot({
    throttle: createTurnThrottle(limiter, log, { sessionAnswers: (id, actor) => wizard.answersOf(actor, id) }),
    verbs: buildVerbRoutes({ wizard, approvals, escalations, consent, checks }),
    commands: buildCommandRoutes({ wizard, checks, councilPolicy }),
    references: store,
    welcome: (actor) => welcomeCard(councilPolicy(actor.tenantId)),
    log,
  });
  const server = createHttpServer({
    processActivity: messageEndpoint({ adapter, auth, bot, allowedTenants, log, httpsOnly: config.nodeEnv === 'production' }),
    log,
    production: config.nodeEnv === 'production',
    requireAuthorization: config.nodeEnv === 'production' || config.bot.appId !== null,
    readiness: [
      { name: 'store', check: async () => void (await store.getDecision('00000000-0000-0000-0000-000000000000')), explain: storeProblem('not readable') },
      { name: 'store-writable', check: () => store.checkWritable(), explain: storeProblem('not writable') },
      { name: 'policies', check: async () => { if (policies.councils.size === 0) throw new Error('no council packs loaded'); }, explain: () => 'policies: no council packs loaded' },
      { name: 'escalationChannel', advisory: true, check: async () => { const w = escalationChannelWarning(config.escalation.channelConversationId); if (w) throw new Error(w); }, explain: () => escalationChannelWarning(config.escalation.channelConversationId) ?? 'escalationChannel: not ready' },
    ],
  });
  const tabLimiter = await createUserRateLimiter({
    points: config.rateLimit.points,
    windowSeconds: config.rateLimit.windowSeconds,
    keyPrefix: 'tab',
    ...(rateLimitPool ? { postgres: { pool: rateLimitPool } } : {}),
  });
  const devSignIn = await devSignInFor(config, now);
  registerTabRoutes(server, {
    verify: createTabTokenVerifier({
      clientId: config.tab.clientId,
      authorityHost: config.directory.authorityHost,
      allowedTenants,
      now,
      devSignIn,
      ...(options.tabKeys ? { keys: options.tabKeys } : {}),
    }),
    devSignIn,
    limiter: tabLimiter,
    api: buildTabApi({ councilPolicy, checks, approvals, escalations, consent, now }),
    assetsDir: options.tabAssetsDir ?? TAB_ASSETS_DIR,
    log,
  });

  let listening = false;
  return {
    config,
    store,
    adapter,
    auth,
    bot,
    server,
    wizard,
    decisions,
    planner,
    approvals,
    escalations,
    dispatcher,
    timers,
    retention,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, async () => {
          listening = true;
          const noChannel = escalationChannelWarning(config.escalation.channelConversationId);
          if (noChannel) log.error({ alert: true }, `WARNING: ${noChannel}`);
          // One process per SQLite file: whatever it had in flight when it stopped is claimable again now,
          // not after its lease. (PostgreSQL replicas share the store: there the short lease brings them back.)
          if (store.engine === 'sqlite') {
            const released = await store.releaseInFlight(now()).catch((error: unknown) => {
              log.error({ err: error }, 'could not release the rows in flight at the last stop; they come back after their lease');
              return { outbox: 0, timers: 0 };
            });
            if (released.outbox + released.timers > 0) log.warn(released, 'released notifications and timers left in flight by the last run');
          }
          if (options.dispatch !== false) {
            dispatcher.start();
            timers.start();
            void retention.ensureScheduled();
          }
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: async () => {
      await Promise.all([dispatcher.stop(), timers.stop()]);
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      if (own !== null) {
        await store.close();
        own.lock?.release();
      }
      await rateLimitPool?.end();
    },
  };
}
