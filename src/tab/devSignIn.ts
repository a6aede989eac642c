/**
 * The local development sign-in: lets the tab be used and tested without a tenant, as any person of the
 * directory file. Off unless CHANNELCHECK_TAB_DEV_SIGNIN=true, and refused in production (productionChecks).
 *
 * It signs short-lived ES256 tokens with a key made when the process starts and never written anywhere, so
 * a token is good only for this process, and a token signed with any other key is refused. The tokens name
 * the person by Entra object id and the local tenant, as a Teams SSO token would.
 */
import { decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { HttpRefusal } from '../server/httpRefusal';
import type { TabUser } from './tabTokenVerifier';

export const DEV_SIGNIN_KEY_ID = 'channelcheck-dev-signin';
const ISSUER = 'urn:channelcheck:dev-signin';
const AUDIENCE = 'urn:channelcheck:tab';
const LIFETIME_SECONDS = 60 * 60;

export interface DevPerson {
  aadObjectId: string;
  displayName: string;
}

export interface DevSignIn {
  /** The people who may be signed in (the directory file's). */
  people: readonly DevPerson[];
  tenantId: string;
  /** A token for this person, or a 404 refusal when they are not in the directory file. */
  signIn(aadObjectId: string): Promise<{ token: string; user: TabUser; expiresAt: string }>;
  /** True when the token claims to be one of ours (its key id); `verify` then decides. */
  issued(token: string): boolean;
  verify(token: string): Promise<TabUser>;
}

export async function createDevSignIn(options: { people: readonly DevPerson[]; tenantId: string; now: () => Date }): Promise<DevSignIn> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const byId = new Map(options.people.map((p) => [p.aadObjectId.toLowerCase(), p]));
  return {
    people: options.people,
    tenantId: options.tenantId,
    async signIn(aadObjectId) {
      const person = byId.get(aadObjectId.toLowerCase());
      if (!person) throw new HttpRefusal(404, 'nobody with that id is in the directory file');
      const now = Math.floor(options.now().getTime() / 1000);
      const user: TabUser = { aadObjectId: person.aadObjectId.toLowerCase(), tenantId: options.tenantId, name: person.displayName };
      const token = await new SignJWT({ oid: user.aadObjectId, tid: user.tenantId, name: person.displayName })
        .setProtectedHeader({ alg: 'ES256', kid: DEV_SIGNIN_KEY_ID, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + LIFETIME_SECONDS)
        .sign(privateKey);
      return { token, user, expiresAt: new Date((now + LIFETIME_SECONDS) * 1000).toISOString() };
    },
    issued(token) {
      try {
        return decodeProtectedHeader(token).kid === DEV_SIGNIN_KEY_ID;
      } catch {
        return false;
      }
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE, currentDate: options.now(), requiredClaims: ['exp', 'oid', 'tid'] });
        const person = byId.get(String(payload.oid));
        if (!person || payload.tid !== options.tenantId) throw new Error('not a person of the directory file');
        return { aadObjectId: String(payload.oid), tenantId: options.tenantId, name: person.displayName };
      } catch {
        throw new HttpRefusal(401, 'sign in again: the development sign-in token is not valid', { 'WWW-Authenticate': 'Bearer' });
      }
    },
  };
}
