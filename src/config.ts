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
  /** json: one JSON object per line (the default in production); pretty: one readable line (elsewhere). */
  logFormat: 'json' | 'pretty';
  bot: {
    /** Null in anonymous local mode (no token checks): refused in production. */
    appId: string | null;
    appPassword: string | null;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    tenantId: string | null;
    /** PEM file holding the app registration's certificate and its private key (instead of a secret). */
    certificateFile: string | null;
    /**
     * Where tokens are checked and obtained: botbuilder's own settings, meant for national and private
     * clouds. Defaults are the public cloud's (or the US Government cloud's when ChannelService names it).
     */
    cloud: BotCloudSettings;
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
    /** An urgent alert not delivered within this also goes to the next level, and the practitioner is told to phone. */
    deliveryTimeoutMinutes: number;
  };
  /** Bot Connector endpoint for proactive messages to users who never messaged the bot. */
  serviceUrl: string;
  dispatcher: {
    pollMs: number;
    /** A routine message is retried through transient failures for this long after it was queued. */
    routineRetryHours: number;
    /** The longest wait between two tries of an urgent alert. */
    urgentRetryCapSeconds: number;
    /** A claim's lease (renewed before each send); a crashed replica's rows come back after it. */
    leaseSeconds: number;
  };
  /** Per-user rate limit on bot turns (safeguarding actions are never limited). `points` 0 turns it off. */
  rateLimit: { points: number; windowSeconds: number };
  tab: {
    /**
     * The Entra app whose Teams SSO tokens the tab's API accepts (their audience); null: no Entra token is
     * accepted. Tokens are checked against the signing keys and issuer of `directory.authorityHost`.
     */
    clientId: string | null;
    /** The local development sign-in (people of the directory file, no tenant): refused in production. */
    devSignIn: boolean;
  };
}

/** botbuilder's ConfigurationBotFrameworkAuthentication settings, by their own names. */
export interface BotCloudSettings {
  ChannelService: string | null;
  ValidateAuthority: boolean;
  /** Token endpoint authority for calls to the Bot Connector: login URL + '/' + tenant (botframework.com for MultiTenant). */
  ToChannelFromBotLoginUrl: string;
  /** Audience of the tokens the bot obtains for the Bot Connector. */
  ToChannelFromBotOAuthScope: string;
  /** Issuer the Bot Connector's tokens must carry. */
  ToBotFromChannelTokenIssuer: string;
  /** OpenID metadata (and so the signing keys) of the Bot Connector's tokens. */
  ToBotFromChannelOpenIdMetadataUrl: string;
  /** OpenID metadata for tokens issued by Entra to other bots and the Emulator. */
  ToBotFromEmulatorOpenIdMetadataUrl: string;
  /** The Bot Framework token service (user sign-in; ChannelCheck does not use it, but botbuilder wants one). */
  OAuthUrl: string;
  CallerId: string;
}

/** botbuilder's public-cloud values (AuthenticationConstants) and US Government values (GovernmentConstants). */
const PUBLIC_CLOUD: Omit<BotCloudSettings, 'ChannelService' | 'ValidateAuthority'> = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
};
export const US_GOVERNMENT_CHANNEL_SERVICE = 'https://botframework.azure.us';
const US_GOVERNMENT_CLOUD: typeof PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
  ToChannelFromBotOAuthScope: 'https://api.botframework.us',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.us',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0/.well-known/openid-configuration',
  OAuthUrl: 'https://tokengov.botframework.azure.us',
  CallerId: 'urn:botframework:azureusgov',
};

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
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: optionalText,
  CHANNELCHECK_BOT_CERTIFICATE_FILE: optionalText,
  ChannelService: optionalText,
  ValidateAuthority: z.enum(['true', 'false']).default('true'),
  ToChannelFromBotLoginUrl: z.url().optional(),
  ToChannelFromBotOAuthScope: z.string().trim().min(1).optional(),
  ToBotFromChannelTokenIssuer: z.string().trim().min(1).optional(),
  ToBotFromChannelOpenIdMetadataUrl: z.url().optional(),
  ToBotFromEmulatorOpenIdMetadataUrl: z.url().optional(),
  OAuthUrl: z.url().optional(),
  CHANNELCHECK_RATE_LIMIT_POINTS: z.coerce.number().int('must be a whole number').min(0).max(10000).default(30),
  CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(1).max(86400).default(60),
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
  CHANNELCHECK_ROUTINE_RETRY_HOURS: z.coerce.number().positive().max(24 * 14).default(24),
  CHANNELCHECK_URGENT_RETRY_CAP_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  CHANNELCHECK_DISPATCH_LEASE_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  CHANNELCHECK_ALERT_DELIVERY_MINUTES: z.coerce.number().positive().max(60).default(2),
  CHANNELCHECK_TAB_CLIENT_ID: optionalText,
  CHANNELCHECK_TAB_DEV_SIGNIN: z.enum(['true', 'false']).default('false'),
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
    if (!e.MicrosoftAppPassword && !e.CHANNELCHECK_BOT_CERTIFICATE_FILE && e.MicrosoftAppType !== 'UserAssignedMSI') problems.push('MicrosoftAppPassword: required in production (or CHANNELCHECK_BOT_CERTIFICATE_FILE)');
    if (e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) problems.push(`MicrosoftAppTenantId: required when MicrosoftAppType is ${e.MicrosoftAppType}`);
  }
  if (e.MicrosoftAppPassword && !e.MicrosoftAppId) problems.push('MicrosoftAppId: required when MicrosoftAppPassword is set');
  if (e.MicrosoftAppType === 'UserAssignedMSI' && (e.MicrosoftAppPassword || e.CHANNELCHECK_BOT_CERTIFICATE_FILE)) {
    problems.push('MicrosoftAppPassword: must not be set when MicrosoftAppType is UserAssignedMSI (the managed identity has no secret)');
  }
  if (e.MicrosoftAppPassword && e.CHANNELCHECK_BOT_CERTIFICATE_FILE) problems.push('CHANNELCHECK_BOT_CERTIFICATE_FILE: set either it or MicrosoftAppPassword, not both');
  if (e.ChannelService && e.ChannelService !== US_GOVERNMENT_CHANNEL_SERVICE) {
    problems.push(`ChannelService: botbuilder knows only "${US_GOVERNMENT_CHANNEL_SERVICE}"; for another cloud leave it empty and set the To*/OAuthUrl settings`);
  }
  const cloudDefaults = e.ChannelService === US_GOVERNMENT_CHANNEL_SERVICE ? US_GOVERNMENT_CLOUD : PUBLIC_CLOUD;
  const cloud: BotCloudSettings = {
    ChannelService: e.ChannelService,
    ValidateAuthority: e.ValidateAuthority === 'true',
    ToChannelFromBotLoginUrl: e.ToChannelFromBotLoginUrl ?? cloudDefaults.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: e.ToChannelFromBotOAuthScope ?? cloudDefaults.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: e.ToBotFromChannelTokenIssuer ?? cloudDefaults.ToBotFromChannelTokenIssuer,
    ToBotFromChannelOpenIdMetadataUrl: e.ToBotFromChannelOpenIdMetadataUrl ?? cloudDefaults.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: e.ToBotFromEmulatorOpenIdMetadataUrl ?? cloudDefaults.ToBotFromEmulatorOpenIdMetadataUrl,
    OAuthUrl: e.OAuthUrl ?? cloudDefaults.OAuthUrl,
    CallerId: cloudDefaults.CallerId,
  };
  if (e.MicrosoftAppId && !/^https:\/\//i.test(cloud.ToChannelFromBotLoginUrl)) problems.push('ToChannelFromBotLoginUrl: must use https (the token client refuses anything else)');
  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) problems.push('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  let caseRefPattern = /$^/;
  try {
    caseRefPattern = new RegExp(e.CHANNELCHECK_CASE_REF_PATTERN);
  } catch (err) {
    problems.push(`CHANNELCHECK_CASE_REF_PATTERN: not a valid regular expression (${(err as Error).message})`);
  }
  if (e.CHANNELCHECK_TAB_DEV_SIGNIN === 'true' && !e.CHANNELCHECK_DIRECTORY_FILE) problems.push('CHANNELCHECK_TAB_DEV_SIGNIN: needs CHANNELCHECK_DIRECTORY_FILE (the development sign-in offers the people of that file)');
  if (e.CHANNELCHECK_DIRECTORY_GRAPH === 'true' && !e.MicrosoftAppId) problems.push('CHANNELCHECK_DIRECTORY_GRAPH: needs MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId');
  problems.push(...productionProblems(env));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty'),
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
      certificateFile: e.CHANNELCHECK_BOT_CERTIFICATE_FILE,
      cloud,
    },
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
    escalation: { channelConversationId: e.CHANNELCHECK_ESCALATION_CHANNEL, ackTimeoutMinutes: e.CHANNELCHECK_ACK_TIMEOUT_MINUTES, deliveryTimeoutMinutes: e.CHANNELCHECK_ALERT_DELIVERY_MINUTES },
    serviceUrl: e.CHANNELCHECK_SERVICE_URL,
    dispatcher: {
      pollMs: e.CHANNELCHECK_DISPATCH_POLL_MS,
      routineRetryHours: e.CHANNELCHECK_ROUTINE_RETRY_HOURS,
      urgentRetryCapSeconds: e.CHANNELCHECK_URGENT_RETRY_CAP_SECONDS,
      leaseSeconds: e.CHANNELCHECK_DISPATCH_LEASE_SECONDS,
    },
    rateLimit: { points: e.CHANNELCHECK_RATE_LIMIT_POINTS, windowSeconds: e.CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS },
    tab: { clientId: e.CHANNELCHECK_TAB_CLIENT_ID ?? e.MicrosoftAppId, devSignIn: e.CHANNELCHECK_TAB_DEV_SIGNIN === 'true' },
  };
}

/** The council pack for a tenant: the tenant map first, then the one-council setting. */
export function councilForTenant(config: Config, tenantId: string | null | undefined): string | null {
  if (tenantId && config.tenantCouncils[tenantId]) return config.tenantCouncils[tenantId];
  return config.council;
}

/**
 * The tenants whose activities are accepted, or null when no allow-list is configured (any tenant: local use).
 * The allow-list is the tenants of CHANNELCHECK_TENANT_COUNCILS, plus MicrosoftAppTenantId when
 * CHANNELCHECK_COUNCIL is set (a one-council deployment in its own tenant).
 */
export function tenantAllowList(config: Pick<Config, 'tenantCouncils' | 'council' | 'bot'>): ReadonlySet<string> | null {
  const tenants = new Set(Object.keys(config.tenantCouncils));
  if (config.council && config.bot.tenantId) tenants.add(config.bot.tenantId);
  return tenants.size === 0 ? null : tenants;
}
