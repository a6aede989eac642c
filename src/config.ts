/**
 * Environment → typed, validated settings. Every wrong setting is reported by name, all at once, before
 * anything starts. The documented examples are env/.env.local (embedded default) and env/.env.dev (a real
 * Azure Bot registration).
 */
import { z } from 'zod';
import { DEFAULT_CASE_REF_PATTERN } from './domain/caseReference';
import { productionProblems } from './productionChecks';

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bot: {
    /** Null in anonymous local mode (no token checks): refused in production. */
    appId: string | null;
    appPassword: string | null;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    tenantId: string | null;
  };
  /** The council pack for a one-council deployment. */
  council: string | null;
  /** Tenant id → council pack, for a deployment serving several councils. */
  tenantCouncils: Record<string, string>;
  store: { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };
  caseRefPattern: RegExp;
  directory: {
    /** YAML file of users and their line managers (embedded default). */
    file: string | null;
    /** Use Microsoft Graph (`/users/{id}/manager`) with the bot's app credentials. */
    graph: boolean;
    graphBaseUrl: string;
    authorityHost: string;
    cacheSeconds: number;
  };
  escalation: {
    /** Teams conversation id of the escalation channel (a channel thread or group chat the bot is in). */
    channelConversationId: string | null;
    ackTimeoutMinutes: number;
  };
  /** Bot Connector endpoint for proactive messages to users who never messaged the bot. */
  serviceUrl: string;
  /** leaseMs: how long a claimed outbox row or timer stays with the replica that claimed it (a crashed replica's claims return after it). */
  dispatcher: { pollMs: number; maxAttempts: number; leaseMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`ChannelCheck cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? null : s))
  .nullable()
  .default(null);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).optional(),
  PORT: z.coerce.number().int('must be a whole number').min(0, 'must be 0 (any free port) to 65535').max(65535).default(3978),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: optionalText,
  CHANNELCHECK_COUNCIL: optionalText,
  CHANNELCHECK_TENANT_COUNCILS: optionalText,
  DATABASE_URL: optionalText,
  CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION: z.enum(['true', 'false']).default('false'),
  CHANNELCHECK_SQLITE_PATH: z.string().trim().min(1).default('data/channelcheck.db'),
  CHANNELCHECK_CASE_REF_PATTERN: z.string().min(1).default(DEFAULT_CASE_REF_PATTERN),
  CHANNELCHECK_DIRECTORY_FILE: optionalText,
  CHANNELCHECK_DIRECTORY_GRAPH: z.enum(['true', 'false']).default('false'),
  CHANNELCHECK_GRAPH_BASE_URL: z.url().default('https://graph.microsoft.com/v1.0'),
  CHANNELCHECK_AUTHORITY_HOST: z.url().default('https://login.microsoftonline.com'),
  CHANNELCHECK_DIRECTORY_CACHE_SECONDS: z.coerce.number().int().min(0).max(86400).default(300),
  CHANNELCHECK_ESCALATION_CHANNEL: optionalText,
  CHANNELCHECK_ACK_TIMEOUT_MINUTES: z.coerce.number().int('must be a whole number of minutes').min(1).max(1440).default(15),
  CHANNELCHECK_SERVICE_URL: z.url().default('https://smba.trafficmanager.net/teams/'),
  CHANNELCHECK_DISPATCH_POLL_MS: z.coerce.number().int().min(50).max(60000).default(1000),
  CHANNELCHECK_DISPATCH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  CHANNELCHECK_DISPATCH_LEASE_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(10).max(3600).default(300),
});

/** Every environment variable the settings read (the deployment templates in infra/ must set each one). */
export const SETTING_NAMES: readonly string[] = [...Object.keys(schema.shape), 'CHANNELCHECK_ENV_FILE'];

function parseTenantCouncils(text: string | null, problems: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  if (!text) return map;
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [tenant, council, ...rest] = pair.split('=').map((s) => s.trim());
    if (!tenant || !council || rest.length > 0) {
      problems.push(`CHANNELCHECK_TENANT_COUNCILS: "${pair}" is not tenantId=packId`);
      continue;
    }
    map[tenant] = council;
  }
  return map;
}

/**
 * Reads settings from `env`. `knownCouncils` (pack ids that loaded) lets a council setting that names no pack
 * fail at start rather than at the first message.
 */
export function loadConfig(env: NodeJS.ProcessEnv, knownCouncils: readonly string[]): Config {
  const problems: string[] = [];
  // Each setting is parsed on its own, so a wrong one is named and the checks below still run on the rest.
  const parsed: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const result = field.safeParse(env[key]);
    if (result.success) parsed[key] = result.data;
    else {
      for (const issue of result.error.issues) problems.push(`${key}: ${issue.message}`);
      parsed[key] = field.safeParse(undefined).data;
    }
  }
  const e = parsed as z.infer<typeof schema>;
  const tenantCouncils = parseTenantCouncils(e.CHANNELCHECK_TENANT_COUNCILS, problems);
  for (const [tenant, council] of Object.entries(tenantCouncils)) {
    if (!knownCouncils.includes(council)) problems.push(`CHANNELCHECK_TENANT_COUNCILS: tenant ${tenant} names unknown pack "${council}" (known: ${knownCouncils.join(', ')})`);
  }
  if (e.CHANNELCHECK_COUNCIL && !knownCouncils.includes(e.CHANNELCHECK_COUNCIL)) {
    problems.push(`CHANNELCHECK_COUNCIL: unknown pack "${e.CHANNELCHECK_COUNCIL}" (known: ${knownCouncils.join(', ')})`);
  }
  if (!e.CHANNELCHECK_COUNCIL && Object.keys(tenantCouncils).length === 0) {
    problems.push(`CHANNELCHECK_COUNCIL: set the council pack to use (one of ${knownCouncils.join(', ')}), or CHANNELCHECK_TENANT_COUNCILS`);
  }
  if (e.NODE_ENV === 'production') {
    if (!e.MicrosoftAppId) problems.push('MicrosoftAppId: required in production (anonymous mode is for local use only)');
    if (!e.MicrosoftAppPassword && e.MicrosoftAppType !== 'UserAssignedMSI') problems.push('MicrosoftAppPassword: required in production');
    if (e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) problems.push(`MicrosoftAppTenantId: required when MicrosoftAppType is ${e.MicrosoftAppType}`);
  }
  if (e.MicrosoftAppPassword && !e.MicrosoftAppId) problems.push('MicrosoftAppId: required when MicrosoftAppPassword is set');
  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) problems.push('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  let caseRefPattern = /$^/;
  try {
    caseRefPattern = new RegExp(e.CHANNELCHECK_CASE_REF_PATTERN);
  } catch (err) {
    problems.push(`CHANNELCHECK_CASE_REF_PATTERN: not a valid regular expression (${(err as Error).message})`);
  }
  if (e.CHANNELCHECK_DIRECTORY_GRAPH === 'true' && !e.MicrosoftAppId) problems.push('CHANNELCHECK_DIRECTORY_GRAPH: needs MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId');
  problems.push(...productionProblems(env));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    bot: { appId: e.MicrosoftAppId, appPassword: e.MicrosoftAppPassword, appType: e.MicrosoftAppType, tenantId: e.MicrosoftAppTenantId },
    council: e.CHANNELCHECK_COUNCIL,
    tenantCouncils,
    store: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'sqlite', path: e.CHANNELCHECK_SQLITE_PATH },
    caseRefPattern,
    directory: {
      file: e.CHANNELCHECK_DIRECTORY_FILE,
      graph: e.CHANNELCHECK_DIRECTORY_GRAPH === 'true',
      graphBaseUrl: e.CHANNELCHECK_GRAPH_BASE_URL,
      authorityHost: e.CHANNELCHECK_AUTHORITY_HOST,
      cacheSeconds: e.CHANNELCHECK_DIRECTORY_CACHE_SECONDS,
    },
    escalation: { channelConversationId: e.CHANNELCHECK_ESCALATION_CHANNEL, ackTimeoutMinutes: e.CHANNELCHECK_ACK_TIMEOUT_MINUTES },
    serviceUrl: e.CHANNELCHECK_SERVICE_URL,
    dispatcher: { pollMs: e.CHANNELCHECK_DISPATCH_POLL_MS, maxAttempts: e.CHANNELCHECK_DISPATCH_MAX_ATTEMPTS, leaseMs: e.CHANNELCHECK_DISPATCH_LEASE_SECONDS * 1000 },
  };
}

/** The council pack for a tenant: the tenant map first, then the one-council setting. */
export function councilForTenant(config: Config, tenantId: string | null | undefined): string | null {
  if (tenantId && config.tenantCouncils[tenantId]) return config.tenantCouncils[tenantId];
  return config.council;
}
