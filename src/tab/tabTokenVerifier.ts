/**
 * Who is calling the tab's API, from the Authorization header alone. A Teams SSO token
 * (`authentication.getAuthToken`) is an Entra ID v2 access token: RS256, signed by a key of the authority's
 * JWKS, issued by `<authority>/<tid>/v2.0`, for our Entra app (aud = its client id), with the
 * `access_as_user` scope, not expired, from an allowed tenant. Anything else is a 401 before any data is
 * read. The person is the token's `oid` in its `tid`: nothing the page sends can change who they are.
 *
 * When the local development sign-in is on (never in production), its own tokens are accepted too.
 */
import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { HttpRefusal } from '../server/httpRefusal';
import type { DevSignIn } from './devSignIn';

/** The person a valid token names. */
export interface TabUser {
  aadObjectId: string;
  tenantId: string;
  /** The `name` claim, when the token has one. */
  name: string | null;
}

export interface TabTokenVerifierOptions {
  /** The Entra app the tokens must be for; null: no Entra token is accepted. */
  clientId: string | null;
  /** Entra's endpoint (CHANNELCHECK_AUTHORITY_HOST): issuer `<host>/<tid>/v2.0`, keys `<host>/common/discovery/v2.0/keys`. */
  authorityHost: string;
  /** Tenants served; null: any (local use, as for the bot). */
  allowedTenants: ReadonlySet<string> | null;
  now: () => Date;
  /** The signing keys (tests: a loopback JWKS). Default: the authority's JWKS, fetched and cached by jose. */
  keys?: JWTVerifyGetKey;
  devSignIn?: DevSignIn | null;
}

export const REQUIRED_SCOPE = 'access_as_user';
/** Clock skew allowed on exp and nbf, as botbuilder allows on the Bot Connector's tokens. */
export const CLOCK_TOLERANCE_SECONDS = 5 * 60;
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const unauthorised = (why: string) => new HttpRefusal(401, `sign in again: ${why}`, { 'WWW-Authenticate': 'Bearer' });

export type TabTokenVerifier = (authorization: string | undefined) => Promise<TabUser>;

export function createTabTokenVerifier(options: TabTokenVerifierOptions): TabTokenVerifier {
  const host = options.authorityHost.replace(/\/+$/, '');
  const keys = options.keys ?? createRemoteJWKSet(new URL(`${host}/common/discovery/v2.0/keys`), { timeoutDuration: 5000, cooldownDuration: 30_000 });

  return async (authorization) => {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorised('a Bearer token is required');
    if (options.devSignIn?.issued(token)) return options.devSignIn.verify(token);
    if (options.clientId === null) throw unauthorised('Teams sign-in is not configured on this server');

    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      throw unauthorised('the token cannot be read');
    }
    const tid = typeof claims.tid === 'string' && TENANT_ID.test(claims.tid) ? claims.tid.toLowerCase() : null;
    if (tid === null) throw unauthorised('the token names no tenant');
    if (options.allowedTenants !== null && ![...options.allowedTenants].some((t) => t.toLowerCase() === tid)) throw unauthorised('this organisation is not served here');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        issuer: `${host}/${tid}/v2.0`,
        audience: options.clientId,
        currentDate: options.now(),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'oid', 'tid', 'scp'],
      }));
    } catch (error) {
      // A generic JOSEError is jose's word for a key set it could not fetch or parse (not 200, not JSON).
      const keysUnavailable = error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError) || error.code === 'ERR_JOSE_GENERIC';
      if (keysUnavailable) {
        // The keys could not be fetched: nothing is wrong with the caller, so it may try again.
        throw new HttpRefusal(503, 'sign-in cannot be checked just now; try again shortly', { 'Retry-After': '5' });
      }
      if (error instanceof errors.JWTExpired) throw unauthorised('the token has expired');
      throw unauthorised('the token is not valid for ChannelCheck');
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(REQUIRED_SCOPE)) throw unauthorised(`the token lacks the ${REQUIRED_SCOPE} scope`);
    if (typeof payload.oid !== 'string' || payload.oid === '') throw unauthorised('the token names no user');
    return { aadObjectId: payload.oid.toLowerCase(), tenantId: tid, name: typeof payload.name === 'string' ? payload.name : null };
  };
}
