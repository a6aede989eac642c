/**
 * Bot Framework authentication that reuses its Bot Connector clients for incoming turns. CloudAdapter builds
 * a new ConnectorClient (with its own Azure HTTP pipeline and credentials) and a new UserTokenClient for every
 * incoming activity; building them is a measurable share of a turn. Both depend only on the bot identity the
 * turn was authenticated as (the token's audience / app id claims), the service URL and the audience, so one
 * of each is kept per such key (bounded; a failed creation is not kept).
 *
 * Proactive turns (createConnectorFactory: continueConversationAsync, createConversationAsync) still get a
 * client of their own: BotProactiveSender changes that client's pipeline for one delivery attempt (no
 * built-in retries, the attempt's deadline), which a shared client must not carry into other turns.
 */
import { type Activity, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
// Types only: botbuilder's own authentication layer, which botbuilder does not re-export.
import type { AuthenticateRequestResult, ClaimsIdentity, ConnectorClient, ConnectorFactory, UserTokenClient } from 'botframework-connector';
import { LruMap } from '../domain/lruMap';

/** Enough for every service URL and audience one deployment meets. */
export const CONNECTOR_CLIENT_CACHE_SIZE = 64;

/** The claims that decide which credentials a client is built with (see botframework-connector's getAppId). */
const IDENTITY_CLAIMS = ['aud', 'appid', 'azp', 'ver'] as const;

export function identityKey(identity: ClaimsIdentity): string {
  return JSON.stringify([identity.isAuthenticated, ...IDENTITY_CLAIMS.map((c) => identity.getClaimValue(c) ?? null)]);
}

function remembered<T>(cache: LruMap<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let made = cache.get(key);
  if (made === undefined) {
    made = make();
    cache.set(key, made);
    made.catch(() => {
      if (cache.get(key) === made) cache.delete(key);
    });
  }
  return made;
}

export class ReusedConnectorClientsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new LruMap<string, Promise<ConnectorClient>>(CONNECTOR_CLIENT_CACHE_SIZE);
  private readonly userTokens = new LruMap<string, Promise<UserTokenClient>>(CONNECTOR_CLIENT_CACHE_SIZE);

  /** A factory that hands out the client already built for this identity, service URL and audience. */
  private reusing(inner: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const identity = identityKey(claimsIdentity);
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> =>
        remembered(this.connectors, JSON.stringify([identity, serviceUrl, audience ?? null]), () => inner.create(serviceUrl, audience)),
    };
  }

  /** Incoming activities: CloudAdapter.process uses the factory this returns. */
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateStreamingRequest(authHeader, channelIdHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return remembered(this.userTokens, identityKey(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }
}
