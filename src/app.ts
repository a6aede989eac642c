/**
 * Wires the application together from validated settings: store, directory, services, bot, HTTP server and
 * the outbox dispatcher. index.ts calls this; tests call it too, to run the real thing on loopback.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type restify from 'restify';
import { createAdapter } from './bot/adapter';
import { messageEndpoint } from './bot/messageEndpoint';
import { ChannelCheckBot } from './bot/channelCheckBot';
import { buildCommandRoutes, helpCard } from './bot/handlers/commandHandlers';
import { buildVerbRoutes } from './bot/verbRoutes';
import type { Config } from './config';
import { councilForTenant } from './config';
import type { Directory } from './domain/ports/directory';
import type { ChannelCheckStore } from './domain/ports/store';
import { createDirectory } from './directory/createDirectory';
import type { PolicyCatalogue } from './policyFiles/loadPolicies';
import { createHttpServer } from './server/httpServer';
import { ChecksService } from './services/checksService';
import { DecisionService } from './services/decisionService';
import type { NotificationPlanner } from './services/notificationPlanner';
import { WizardService } from './services/wizardService';
import { openStore } from './store/openStore';
import { OutboxDispatcher } from './notify/outboxDispatcher';
import { TimerLoop } from './notify/timerLoop';
import { BotProactiveSender } from './bot/proactiveSender';
import { ApprovalService } from './services/approvalService';
import { EscalationService } from './services/escalationService';
import { ManagerNotificationPlanner } from './services/managerNotificationPlanner';
import { ESCALATION_TIMER_KIND } from './domain/escalations';
import { retentionDaysByCouncil } from './policyFiles/retentionPeriods';
import { RETENTION_TIMER_KIND, RetentionJob } from './services/retentionJob';
import { escalationChannelWarning } from './productionChecks';

export interface AppOptions {
  config: Config;
  policies: PolicyCatalogue;
  log: Logger;
  /** Overrides for tests: an already-open store, a directory, a clock. */
  store?: ChannelCheckStore;
  directory?: Directory;
  now?: () => Date;
  /** Start the outbox dispatcher and timer loop (default true). */
  dispatch?: boolean;
}

export interface App {
  config: Config;
  store: ChannelCheckStore;
  adapter: ReturnType<typeof createAdapter>;
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

export async function createApp(options: AppOptions): Promise<App> {
  const { config, policies, log } = options;
  const now = options.now ?? (() => new Date());
  const store =
    options.store ??
    (await openStore(
      config.store.kind === 'postgres'
        ? { engine: 'postgres', connectionString: config.store.url, caseRefPattern: config.caseRefPattern, now }
        : { engine: 'sqlite', file: config.store.path, caseRefPattern: config.caseRefPattern, now },
    ));
  const directory = options.directory ?? (await createDirectory(config, log));
  const adapter = createAdapter(config, log);
  const planner = new ManagerNotificationPlanner({ directory, config, log });
  const decisions = new DecisionService({ store, planner, now, log });
  const wizard = new WizardService({ store, policies, config, decisions, now });
  const approvals = new ApprovalService({ store, decisions, now });
  const escalations = new EscalationService({ store, directory, decisions, config, now });
  const sender = new BotProactiveSender({ adapter, references: store, appId: config.bot.appId, serviceUrl: config.serviceUrl, log });
  const dispatcher = new OutboxDispatcher({ store, sender, log, now, pollMs: config.dispatcher.pollMs, maxAttempts: config.dispatcher.maxAttempts, leaseMs: config.dispatcher.leaseMs, escalationChannelId: config.escalation.channelConversationId });
  const retention = new RetentionJob({ store, retentionDays: retentionDaysByCouncil(policies), log, now });
  const timers = new TimerLoop({
    store,
    log,
    now,
    pollMs: config.dispatcher.pollMs,
    leaseMs: Math.min(config.dispatcher.leaseMs, 60_000), // a timer's handler is quick; keep a crashed replica's timers waiting at most a minute
    handlers: { [ESCALATION_TIMER_KIND]: (timer) => escalations.onTimer(timer), [RETENTION_TIMER_KIND]: (timer) => retention.onTimer(timer) },
  });
  const checks = new ChecksService({ store, directory });
  const councilName = (tenantId: string) => {
    const id = councilForTenant(config, tenantId);
    return id ? (policies.councils.get(id)?.council.data.metadata.council ?? null) : null;
  };
  const bot = new ChannelCheckBot({
    verbs: buildVerbRoutes({ wizard, approvals, escalations }),
    commands: buildCommandRoutes({ wizard, checks, councilName }),
    references: store,
    welcome: (actor) => helpCard(councilName(actor.tenantId)),
    log,
  });
  const server = createHttpServer({
    processActivity: messageEndpoint(adapter, bot) as (req: restify.Request, res: restify.Response) => Promise<void>,
    log,
    readiness: [
      { name: 'store', check: async () => void (await store.getDecision('00000000-0000-0000-0000-000000000000')) },
      { name: 'policies', check: async () => { if (policies.councils.size === 0) throw new Error('no council packs loaded'); } },
      { name: 'escalationChannel', advisory: true, check: async () => { const w = escalationChannelWarning(config.escalation.channelConversationId); if (w) throw new Error(w); } },
    ],
  });

  let listening = false;
  return {
    config,
    store,
    adapter,
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
        server.listen(config.port, config.host, () => {
          listening = true;
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
      if (!options.store) await store.close();
    },
  };
}
