/**
 * Small fakes of the Microsoft identity platform and Microsoft Graph, listening on 127.0.0.1 only, that speak
 * enough of the protocols for the real @azure/identity and @microsoft/microsoft-graph-client code to run
 * against them.
 *
 * The token endpoint must be https (MSAL refuses an http authority), so it uses the throwaway self-signed
 * loopback certificate in fixtures/ (see fixtures/README.md); the credential is told to trust it.
 * With disableInstanceDiscovery, @azure/identity 4.14 asks:
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration
 *   POST /{tenant}/oauth2/v2.0/token   (grant_type=client_credentials, client_id, client_secret, scope)
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const LOOPBACK = '127.0.0.1';
export const TEST_CA = fs.readFileSync(path.join(__dirname, 'fixtures', 'loopback-cert.pem'), 'utf8');
const TEST_KEY = fs.readFileSync(path.join(__dirname, 'fixtures', 'loopback-key.pem'), 'utf8');

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export class FakeTokenEndpoint {
  readonly requests: Recorded[] = [];
  /** Token handed out; change it to see a new one used. */
  accessToken = 'fake-graph-token-1';
  /** When set, the token endpoint answers 401 invalid_client. */
  rejectClient = false;
  private server = https.createServer({ cert: TEST_CA, key: TEST_KEY }, (req, res) => void this.handle(req, res));
  private port = 0;

  get authorityHost(): string {
    return `https://${LOOPBACK}:${this.port}`;
  }

  tokenRequests(): Recorded[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/oauth2\/v2\.0\/token/.test(r.url));
  }

  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', url, headers: req.headers, body });
    const meta = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration/.exec(url);
    if (req.method === 'GET' && meta) {
      const t = `${this.authorityHost}/${meta[1]}`;
      json(res, 200, {
        token_endpoint: `${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${t}/oauth2/v2.0/logout`,
        jwks_uri: `${t}/discovery/v2.0/keys`,
        issuer: `${t}/v2.0`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        response_types_supported: ['code', 'token'],
      });
      return;
    }
    if (req.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token/.test(url)) {
      if (this.rejectClient) {
        json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        return;
      }
      json(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: this.accessToken });
      return;
    }
    json(res, 404, { error: 'not_found' });
  }
}

/** One scripted answer from the fake Graph. `hang` never answers. */
export type Step = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

export class FakeGraph {
  readonly requests: Recorded[] = [];
  private readonly scripts = new Map<string, Step[]>();
  private server = http.createServer((req, res) => void this.handle(req, res));
  private port = 0;

  /** e.g. http://127.0.0.1:PORT/v1.0 */
  get baseUrl(): string {
    return `http://${LOOPBACK}:${this.port}/v1.0`;
  }

  /** Answers for requests whose path (without the query) is `path`, in order; the last one repeats. */
  on(path: string, ...steps: Step[]): this {
    this.scripts.set(path, steps);
    return this;
  }

  requestsTo(path: string): Recorded[] {
    return this.requests.filter((r) => r.url.split('?')[0] === path);
  }

  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', url, headers: req.headers, body });
    const steps = this.scripts.get(url.split('?')[0] ?? '');
    const step = steps && steps.length > 1 ? steps.shift() : steps?.[0];
    if (!step) {
      json(res, 404, { error: { code: 'Request_ResourceNotFound', message: `Resource '${url}' does not exist.` } });
      return;
    }
    if (step === 'hang') return; // keep the connection open; stop() closes it
    if (step.body === undefined) {
      res.writeHead(step.status, step.headers ?? {});
      res.end();
    } else {
      json(res, step.status, step.body, step.headers);
    }
  }
}

/** A Graph user object as /manager and /directReports return it. */
export function graphUser(id: string, displayName: string): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.user', id, displayName, mail: null };
}

export const notFound: Step = {
  status: 404,
  body: { error: { code: 'Request_ResourceNotFound', message: "Resource 'manager' does not exist or one of its queried reference-property objects are not present." } },
};
