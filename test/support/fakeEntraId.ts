/**
 * Entra ID's signing side, on loopback, with keys made for the test run: the JWKS at
 * http://127.0.0.1:PORT/common/discovery/v2.0/keys, and `token()` to mint a Teams SSO access token as Entra
 * issues it (v2: iss `<authority>/<tid>/v2.0`, aud = the tab's client id, scp access_as_user, oid, tid).
 * Point the app at it with CHANNELCHECK_AUTHORITY_HOST=`authorityHost`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
const KID = 'fake-entra-key-1';

export interface TokenOverrides {
  claims?: Partial<JWTPayload> & Record<string, unknown>;
  /** Seconds from `now` until exp (negative: already expired). */
  expiresInSeconds?: number;
  /** 'other': a key the JWKS does not publish, under the published key id (a forgery). */
  signWith?: 'entra' | 'other';
  alg?: 'RS256' | 'PS256';
  now?: Date;
}

export class FakeEntraId {
  /** Requests for the keys, in order. */
  readonly keyRequests: string[] = [];
  /** When set, the keys endpoint answers with this status. */
  keysStatus: number | null = null;
  private keys!: KeyPair;
  private other!: KeyPair;
  private readonly server = http.createServer((req, res) => void this.answer(req, res));
  private port = 0;

  private constructor(readonly clientId: string) {}

  static async start(clientId: string): Promise<FakeEntraId> {
    const fake = new FakeEntraId(clientId);
    fake.keys = await generateKeyPair('RS256');
    fake.other = await generateKeyPair('RS256');
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', () => resolve()));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get authorityHost(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  issuerFor(tenantId: string): string {
    return `${this.authorityHost}/${tenantId}/v2.0`;
  }

  /** A Teams SSO token for `oid` in `tid`; `overrides` change claims, lifetime or key. */
  async token(oid: string, tid: string, overrides: TokenOverrides = {}): Promise<string> {
    const now = Math.floor((overrides.now ?? new Date()).getTime() / 1000);
    const exp = now + (overrides.expiresInSeconds ?? 3600);
    const claims = { iss: this.issuerFor(tid), aud: this.clientId, oid, tid, scp: 'access_as_user', name: 'Signed In Person', ver: '2.0', iat: Math.min(now, exp - 60), nbf: Math.min(now, exp - 60), exp, ...overrides.claims };
    const key = overrides.signWith === 'other' ? this.other.privateKey : this.keys.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: overrides.alg ?? 'RS256', kid: KID, typ: 'JWT' }).sign(key);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.keyRequests.push(req.url ?? '/');
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    if (this.keysStatus !== null) return send(this.keysStatus, '{"error":"scripted"}');
    if (req.url !== '/common/discovery/v2.0/keys') return send(404, '{}');
    const jwk = await exportJWK(this.keys.publicKey);
    send(200, JSON.stringify({ keys: [{ ...jwk, kid: KID, use: 'sig', alg: 'RS256' }] }));
  }
}
