/**
 * Production directory: Microsoft Graph, with the bot's own app registration (client credentials).
 *
 *   managerOf(id)  → GET {graphBaseUrl}/users/{id}/manager        (404 = no manager → null)
 *   reportsOf(id)  → GET {graphBaseUrl}/users/{id}/directReports  (users only, following @odata.nextLink)
 *
 * Needs the Microsoft Graph *application* permission User.Read.All with admin consent (docs/directory.md).
 * Head of Service and delegates are not in Entra: they come from the directory file when one is configured
 * as well (`extras`), else there are none.
 *
 * Every call is bounded: the Graph client's RetryHandler retries 429/503/504 (honouring Retry-After) at most
 * `maxRetries` times and never sleeps past the call's deadline, and the whole call (token + requests +
 * retries) gives up after `timeoutMs` (default 3 s, well inside Teams' 5 s invoke limit) with a
 * DirectoryUnavailableError. Any failure other than "not found" is a DirectoryUnavailableError.
 */
import { ClientSecretCredential } from '@azure/identity';
import {
  type AuthenticationProvider,
  Client,
  type Context,
  GraphError,
  type GraphRequest,
  HTTPMessageHandler,
  type Middleware,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { Logger } from 'pino';
import type { Directory, DirectoryAsker, EscalationContacts, Person } from '../domain/ports/directory';
import { correlationFields } from '../correlation';
import { OBJECT_ID_PATTERN } from './directoryFile';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const DEFAULT_GRAPH_TIMEOUT_MS = 3000;
export const DEFAULT_GRAPH_MAX_RETRIES = 3;
/** Base delay (seconds) before retrying a 429/503/504 without Retry-After; the RetryHandler adds up to 1 s of jitter. */
export const DEFAULT_GRAPH_RETRY_DELAY_SECONDS = 0.2;
const MAX_REPORT_PAGES = 10;

/** Graph (or the token endpoint) could not answer in time or at all. The caller should fall back to the escalation route. */
export class DirectoryUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectoryUnavailableError';
  }
}

export interface GraphDirectoryOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com (must be https; instance discovery is disabled so it may be a private or fake authority). */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com/v1.0 (http only for a loopback address, in tests). */
  graphBaseUrl: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryDelaySeconds?: number;
  /** Extra CA certificate(s) to trust for the authority host (tests with a loopback token endpoint; private PKI). */
  authorityCa?: string | Buffer;
  /** Head of Service and delegates, which Entra does not hold (the directory file, when configured). */
  extras?: Pick<Directory, 'delegatesOf' | 'escalationContactsFor'> | null;
  log?: Logger;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a Graph base URL may not be used, or null when it is fine: https, or plain http to loopback only. */
export function graphBaseUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return 'must use https (plain http is accepted only for a loopback address, for tests)';
}

/**
 * Attaches the bearer token to requests for the configured Graph origin only (never to another host a
 * nextLink or redirect might name). The Graph client's own AuthenticationHandler recognises only https Graph
 * hosts, which would leave a loopback test Graph unauthenticated, so this replaces it in the chain.
 */
class GraphOriginAuthHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly provider: AuthenticationProvider,
    private readonly origin: string,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    context.options ??= {};
    const headers = { ...((context.options.headers as Record<string, string> | undefined) ?? {}) };
    delete headers.Authorization;
    delete headers.authorization;
    if (new URL(url).origin === this.origin) headers.Authorization = `Bearer ${await this.provider.getAccessToken()}`;
    context.options.headers = headers;
    if (!this.next) throw new Error('GraphOriginAuthHandler has no next middleware');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

function retryAfterSeconds(response: Response): number | null {
  const value = response.headers?.get('Retry-After');
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (!Number.isNaN(n)) return n;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

interface ApiPerson {
  '@odata.type'?: string;
  id?: string;
  displayName?: string | null;
}

function toPerson(o: ApiPerson): Person | null {
  if (typeof o.id !== 'string' || o.id === '') return null;
  return { aadObjectId: o.id, displayName: o.displayName?.trim() || o.id };
}

export class GraphDirectory implements Directory {
  private readonly client: Client;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryDelaySeconds: number;
  private readonly extras: GraphDirectoryOptions['extras'];
  private readonly log: Logger | undefined;

  constructor(options: GraphDirectoryOptions) {
    const problem = graphBaseUrlProblem(options.graphBaseUrl);
    if (problem) throw new Error(`Graph base URL ${options.graphBaseUrl} ${problem}`);
    this.baseUrl = options.graphBaseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_GRAPH_MAX_RETRIES;
    this.retryDelaySeconds = options.retryDelaySeconds ?? DEFAULT_GRAPH_RETRY_DELAY_SECONDS;
    this.extras = options.extras ?? null;
    this.log = options.log;

    const credential = new ClientSecretCredential(options.tenantId, options.clientId, options.clientSecret, {
      authorityHost: options.authorityHost,
      disableInstanceDiscovery: true,
      ...(options.authorityCa ? { tlsOptions: { ca: options.authorityCa } } : {}),
    });
    const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] });

    // The Graph client's default chain (auth → retry → redirect → telemetry → HTTP), with the auth step
    // limited to the configured Graph origin and the retry step bounded (per request, see request()).
    const chain: Middleware[] = [
      new GraphOriginAuthHandler(authProvider, new URL(this.baseUrl).origin),
      new RetryHandler(new RetryHandlerOptions(this.retryDelaySeconds, this.maxRetries)),
      new RedirectHandler(),
      new TelemetryHandler(),
      new HTTPMessageHandler(),
    ];
    this.client = Client.initWithMiddleware({ middleware: chain, baseUrl: this.baseUrl, defaultVersion: '' });
  }

  async managerOf(userAadId: string, asking?: DirectoryAsker): Promise<Person | null> {
    const id = userAadId.trim();
    if (!OBJECT_ID_PATTERN.test(id)) return null; // not an Entra object id: nobody to look up
    return this.call('the manager', asking, async (api) => {
      try {
        const body = (await api(`/users/${id}/manager`).select(['id', 'displayName']).get()) as ApiPerson | undefined;
        return body ? toPerson(body) : null;
      } catch (e) {
        if (e instanceof GraphError && e.statusCode === 404) return null; // no manager set (or no such user)
        throw e;
      }
    });
  }

  async reportsOf(managerAadId: string, asking?: DirectoryAsker): Promise<Person[]> {
    const id = managerAadId.trim();
    if (!OBJECT_ID_PATTERN.test(id)) return [];
    return this.call('the direct reports', asking, async (api) => {
      const people: Person[] = [];
      let path: string | null = `/users/${id}/directReports?$select=id,displayName&$top=999`;
      for (let page = 0; path && page < MAX_REPORT_PAGES; page++) {
        let body: { value?: ApiPerson[]; '@odata.nextLink'?: string };
        try {
          body = (await api(path).get()) as typeof body;
        } catch (e) {
          if (e instanceof GraphError && e.statusCode === 404) return [];
          throw e;
        }
        for (const o of body.value ?? []) {
          // directReports can include contacts and devices; only users can be practitioners.
          if (o['@odata.type'] !== undefined && o['@odata.type'] !== '#microsoft.graph.user') continue;
          const p = toPerson(o);
          if (p) people.push(p);
        }
        path = this.relativeNextLink(body['@odata.nextLink'], asking);
      }
      return people.sort((a, b) => a.displayName.localeCompare(b.displayName));
    });
  }

  async delegatesOf(managerAadId: string): Promise<Person[]> {
    return this.extras ? this.extras.delegatesOf(managerAadId) : [];
  }

  async escalationContactsFor(userAadId: string): Promise<EscalationContacts> {
    return this.extras ? this.extras.escalationContactsFor(userAadId) : { headOfService: null };
  }

  /** A nextLink under our Graph base URL, as a path for client.api(); anything else is not followed. */
  private relativeNextLink(next: string | undefined, asking: DirectoryAsker | undefined): string | null {
    if (!next) return null;
    if (next.startsWith(`${this.baseUrl}/`)) return next.slice(this.baseUrl.length);
    this.log?.warn({ nextLink: next.slice(0, 200), ...correlationFields(asking) }, 'Graph nextLink outside the configured Graph base URL: not followed');
    return null;
  }

  /**
   * Runs one directory question within the time budget. `api(path)` builds a request carrying the abort
   * signal and retry options bound to this call's deadline.
   */
  private async call<T>(what: string, asking: DirectoryAsker | undefined, run: (api: (path: string) => GraphRequest) => Promise<T>): Promise<T> {
    const started = Date.now();
    const deadline = started + this.timeoutMs;
    const abort = new AbortController();
    const shouldRetry = (_delay: number, attempt: number, _req: unknown, _opts: unknown, response: Response) => {
      if (abort.signal.aborted) return false;
      // Worst case the RetryHandler will sleep (its jitter adds up to 1 s); do not start a sleep that
      // would outlive the deadline: fail now and let the caller use the escalation route.
      const next = attempt + 1;
      const wait = retryAfterSeconds(response) ?? (next >= 2 ? Math.round(0.5 * (2 ** next - 1)) : 0) + this.retryDelaySeconds + 1;
      return Date.now() + wait * 1000 < deadline;
    };
    const api = (path: string) =>
      this.client
        .api(path)
        .option('signal', abort.signal)
        .middlewareOptions([new RetryHandlerOptions(this.retryDelaySeconds, this.maxRetries, shouldRetry)]);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new DirectoryUnavailableError(`Microsoft Graph did not answer for ${what} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([run(api), timeout]);
    } catch (e) {
      const error = e instanceof DirectoryUnavailableError ? e : this.explain(e, what);
      this.log?.warn({ err: { name: error.name, message: error.message }, status: error.status, ms: Date.now() - started, ...correlationFields(asking) }, 'directory lookup in Microsoft Graph failed');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private explain(e: unknown, what: string): DirectoryUnavailableError {
    if (e instanceof GraphError) {
      const status = e.statusCode;
      if (e.code === 'AuthenticationError' || e.code === 'CredentialUnavailableError' || e.code === 'AuthenticationRequiredError') {
        return new DirectoryUnavailableError(`could not get a Microsoft Graph token for the app (check MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId): ${firstLine(e.body ?? e.message)}`, null, { cause: e });
      }
      if (status === 401 || status === 403) {
        return new DirectoryUnavailableError(`Microsoft Graph refused to read ${what} (${status}): the app needs the User.Read.All application permission with admin consent`, status, { cause: e });
      }
      if (status === 429 || status === 503 || status === 504) {
        return new DirectoryUnavailableError(`Microsoft Graph is busy or unavailable (${status}) and did not answer for ${what} after its retries`, status, { cause: e });
      }
      if (status > 0) return new DirectoryUnavailableError(`Microsoft Graph answered ${status} for ${what}: ${firstLine(e.message)}`, status, { cause: e });
      return new DirectoryUnavailableError(`Microsoft Graph could not be reached for ${what}: ${firstLine(e.message || String(e.body ?? e.code ?? 'unknown error'))}`, null, { cause: e });
    }
    return new DirectoryUnavailableError(`Microsoft Graph could not answer for ${what}: ${firstLine((e as Error)?.message ?? String(e))}`, null, { cause: e });
  }
}

function firstLine(text: unknown): string {
  const s = typeof text === 'string' ? text : JSON.stringify(text);
  return (s.split('\n')[0] ?? '').slice(0, 300);
}
