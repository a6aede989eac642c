/**
 * The Bot Framework's identity side, on loopback, with keys made for the test run:
 *
 *   - the channel's OpenID metadata and JWKS (http://127.0.0.1:PORT/v1/.well-known/openidconfiguration and
 *     /v1/keys), which botbuilder reads to check the tokens Teams sends; `channelToken()` mints such tokens;
 *   - the Entra token endpoint the bot asks for its own tokens to call the Bot Connector (https, with the
 *     throwaway loopback certificate of test/directory/fixtures: the token client refuses http), issuing
 *     RS256 tokens for the Bot Connector audience that `verifyBotToken()` checks, as the Bot Connector does.
 *
 * Point the bot at it with `env()` (the national-cloud settings of botbuilder) and `ca`.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, importX509, type JWTPayload, jwtVerify, SignJWT } from 'jose';

const LOOPBACK = '127.0.0.1';
export const LOOPBACK_CA = fs.readFileSync(path.join(__dirname, '..', 'directory', 'fixtures', 'loopback-cert.pem'), 'utf8');
const LOOPBACK_KEY = fs.readFileSync(path.join(__dirname, '..', 'directory', 'fixtures', 'loopback-key.pem'), 'utf8');
export const CHANNEL_ISSUER = 'https://api.botframework.com';
export const CONNECTOR_AUDIENCE = 'https://api.botframework.com';
const CHANNEL_KID = 'fake-channel-key-1';
const LOGIN_KID = 'fake-login-key-1';
/**
 * Clock skew the token endpoint allows on a client assertion's nbf and exp, as Entra ID does (and as botbuilder
 * allows on the tokens it checks). It matters: MSAL stamps nbf with the time rounded to the nearest second, so
 * for half of every second its assertion is not yet valid to a check without skew.
 */
export const ASSERTION_CLOCK_SKEW_SECONDS = 5 * 60;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
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

export interface TokenRequest {
  url: string;
  form: URLSearchParams;
  /** Why the endpoint refused the client (null: a token was issued). */
  refusal: string | null;
}

export class FakeBotFrameworkIdentity {
  readonly tokenRequests: TokenRequest[] = [];
  /** Requests for the metadata and keys, in order. */
  readonly metadataRequests: string[] = [];
  /** When set, the metadata endpoint answers with this status instead. */
  metadataStatus: number | null = null;
  /** The app's client secret, when the token endpoint should check it. */
  clientSecret: string | null = null;
  /** The app's certificate (PEM), when the token endpoint should accept a signed client assertion. */
  clientCertificate: string | null = null;
  private channelKeys!: KeyPair;
  private otherKeys!: KeyPair;
  private loginKeys!: KeyPair;
  private readonly metadataServer = http.createServer((req, res) => void this.metadata(req, res));
  private readonly loginServer = https.createServer({ cert: LOOPBACK_CA, key: LOOPBACK_KEY }, (req, res) => void this.login(req, res));
  private metadataPort = 0;
  private loginPort = 0;

  constructor(
    readonly appId: string,
    readonly appTenantId: string,
  ) {}

  static async start(appId: string, appTenantId: string): Promise<FakeBotFrameworkIdentity> {
    const fake = new FakeBotFrameworkIdentity(appId, appTenantId);
    fake.channelKeys = await generateKeyPair('RS256');
    fake.otherKeys = await generateKeyPair('RS256');
    fake.loginKeys = await generateKeyPair('RS256');
    fake.metadataPort = await listen(fake.metadataServer);
    fake.loginPort = await listen(fake.loginServer);
    return fake;
  }

  get metadataUrl(): string {
    return `http://${LOOPBACK}:${this.metadataPort}/v1/.well-known/openidconfiguration`;
  }

  get loginUrl(): string {
    return `https://${LOOPBACK}:${this.loginPort}/botframework.com`;
  }

  get loginIssuer(): string {
    return `https://${LOOPBACK}:${this.loginPort}/${this.appTenantId}/v2.0`;
  }

  /** botbuilder's national-cloud settings, pointing at this fake. */
  env(): Record<string, string> {
    return {
      ToBotFromChannelOpenIdMetadataUrl: this.metadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: `http://${LOOPBACK}:${this.metadataPort}/emulator/v2.0/.well-known/openid-configuration`,
      ToChannelFromBotLoginUrl: this.loginUrl,
    };
  }

  /** A token as the Bot Connector sends it for an activity; `overrides` change claims, header or key. */
  async channelToken(
    serviceUrl: string,
    overrides: { claims?: Partial<JWTPayload> & Record<string, unknown>; expiresInSeconds?: number; signWith?: 'channel' | 'other' } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (overrides.expiresInSeconds ?? 600);
    const claims = { iss: CHANNEL_ISSUER, aud: this.appId, serviceurl: serviceUrl, nbf: Math.min(now - 60, exp - 60), iat: Math.min(now - 60, exp - 60), exp, ...overrides.claims };
    const key = overrides.signWith === 'other' ? this.otherKeys.privateKey : this.channelKeys.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: CHANNEL_KID, typ: 'JWT' }).sign(key);
  }

  /** An unsigned token (`alg: none`) with the channel's key id. */
  unsignedToken(serviceUrl: string): string {
    const now = Math.floor(Date.now() / 1000);
    return `${b64url({ alg: 'none', typ: 'JWT', kid: CHANNEL_KID })}.${b64url({ iss: CHANNEL_ISSUER, aud: this.appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 600 })}.`;
  }

  /** An HS256 token whose HMAC key is `secret` (the app password an attacker hopes is the key). */
  async hmacToken(serviceUrl: string, secret: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: CHANNEL_ISSUER, aud: this.appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: CHANNEL_KID, typ: 'JWT' })
      .sign(new TextEncoder().encode(secret));
  }

  /** Checks a token the bot sent to the Bot Connector: signed by the login endpoint, for the connector, for our app. */
  async verifyBotToken(authorization: string | null): Promise<boolean> {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match?.[1]) return false;
    try {
      const { payload } = await jwtVerify(match[1], this.loginKeys.publicKey, { audience: CONNECTOR_AUDIENCE, issuer: this.loginIssuer, algorithms: ['RS256'] });
      return payload.appid === this.appId;
    } catch {
      return false;
    }
  }

  stop(): Promise<void> {
    return Promise.all([close(this.metadataServer), close(this.loginServer)]).then(() => undefined);
  }

  /**
   * Checks the client: a client secret equal to the app's, or a client assertion signed by the app's certificate
   * for this endpoint. Returns why it is refused, or null.
   */
  private async clientRefusal(form: URLSearchParams, tokenEndpoint: string): Promise<string | null> {
    const assertion = form.get('client_assertion');
    if (assertion !== null) {
      if (this.clientCertificate === null) return 'no certificate is registered for the app';
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return 'wrong client_assertion_type';
      const problems: string[] = [];
      for (const alg of ['PS256', 'RS256']) {
        try {
          const { payload } = await jwtVerify(assertion, await importX509(this.clientCertificate, alg), { audience: tokenEndpoint, issuer: this.appId, subject: this.appId, algorithms: [alg], clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS });
          return payload.exp === undefined ? 'the assertion has no exp' : null;
        } catch (error) {
          problems.push(`${alg}: ${(error as Error).message}`);
        }
      }
      return `client assertion refused (${problems.join('; ')})`;
    }
    return this.clientSecret === null || form.get('client_secret') === this.clientSecret ? null : 'wrong client secret';
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async metadata(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    this.metadataRequests.push(url);
    if (this.metadataStatus !== null) return this.json(res, this.metadataStatus, { error: 'scripted failure with internal detail 10.0.0.7' });
    const base = `http://${LOOPBACK}:${this.metadataPort}`;
    if (url.endsWith('openidconfiguration') || url.endsWith('openid-configuration')) {
      return this.json(res, 200, { issuer: CHANNEL_ISSUER, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_signing_alg_values_supported: ['RS256'] });
    }
    if (url === '/v1/keys') {
      const jwk = await exportJWK(this.channelKeys.publicKey);
      return this.json(res, 200, { keys: [{ ...jwk, kid: CHANNEL_KID, use: 'sig', kty: 'RSA', endorsements: ['msteams'] }] });
    }
    this.json(res, 404, { error: 'not found' });
  }

  private async login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const url = req.url ?? '/';
    const base = `https://${LOOPBACK}:${this.loginPort}`;
    const meta = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration/.exec(url);
    if (req.method === 'GET' && meta) {
      const t = `${base}/${meta[1]}`;
      return this.json(res, 200, {
        token_endpoint: `${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${t}/oauth2/v2.0/logout`,
        jwks_uri: `${t}/discovery/v2.0/keys`,
        issuer: `${t}/v2.0`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        response_types_supported: ['code', 'token'],
      });
    }
    if (req.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token/.test(url)) {
      const form = new URLSearchParams(body);
      const request: TokenRequest = { url, form, refusal: null };
      this.tokenRequests.push(request);
      request.refusal = form.get('client_id') !== this.appId ? 'unknown client_id' : await this.clientRefusal(form, `${base}${url.split('?')[0]}`);
      if (request.refusal !== null) {
        return this.json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: invalid client credentials' });
      }
      const scope = form.get('scope') ?? '';
      const now = Math.floor(Date.now() / 1000);
      const accessToken = await new SignJWT({ aud: scope.replace(/\/\.default$/, ''), appid: this.appId, iss: `${base}/${this.appTenantId}/v2.0` })
        .setProtectedHeader({ alg: 'RS256', kid: LOGIN_KID })
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(this.loginKeys.privateKey);
      return this.json(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken });
    }
    this.json(res, 404, { error: 'not_found' });
  }
}
