/**
 * The Bot Framework CloudAdapter and its authentication: botbuilder's own ConfigurationBotFrameworkAuthentication
 * checks every incoming Bot Connector token (signature against the OpenID metadata's keys, issuer, audience =
 * our app id, expiry, service URL claim); BotCredentialsFactory obtains the tokens for outgoing calls. With no
 * app id (local use only; refused in production) nothing is checked and no token is sent.
 */
import { type Activity, CloudAdapter, type ConfigurationBotFrameworkAuthenticationOptions, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from 'botframework-connector';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { type BotCredentialOptions, BotCredentialsFactory } from './botCredentials';
import { ReusedConnectorClientsAuthentication } from './reusedConnectorClients';
import { turnTraceOf } from './turnTrace';

export function botAuthOptions(config: Pick<Config, 'bot'>): ConfigurationBotFrameworkAuthenticationOptions {
  const { appId, appType, tenantId, cloud } = config.bot;
  if (!appId) return {};
  // The secret is not passed: BotCredentialsFactory holds it. Every cloud setting is passed, so botbuilder
  // takes the "parameterized" path and uses exactly these URLs (see BotFrameworkAuthenticationFactory).
  return {
    MicrosoftAppId: appId,
    MicrosoftAppType: appType,
    ...(tenantId ? { MicrosoftAppTenantId: tenantId } : {}),
    ...(cloud.ChannelService ? { ChannelService: cloud.ChannelService } : {}),
    ValidateAuthority: cloud.ValidateAuthority,
    ToChannelFromBotLoginUrl: cloud.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: cloud.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: cloud.ToBotFromChannelTokenIssuer,
    ToBotFromChannelOpenIdMetadataUrl: cloud.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: cloud.ToBotFromEmulatorOpenIdMetadataUrl,
    OAuthUrl: cloud.OAuthUrl,
    CallerId: cloud.CallerId,
  } as ConfigurationBotFrameworkAuthenticationOptions;
}

/**
 * botbuilder's authentication for this bot: checks incoming tokens, signs outgoing calls, and reuses the Bot
 * Connector clients of incoming turns (reusedConnectorClients.ts).
 */
export function createBotAuthentication(config: Pick<Config, 'bot'>, credentialOptions: BotCredentialOptions = {}): BotFrameworkAuthentication {
  return new ReusedConnectorClientsAuthentication(botAuthOptions(config), new BotCredentialsFactory(config, credentialOptions));
}

/** CloudAdapter that can run a turn for a request authenticated beforehand (messageEndpoint.ts does that). */
export class ChannelCheckAdapter extends CloudAdapter {
  processAuthenticated(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

export function createAdapter(config: Pick<Config, 'bot'>, log: Logger, auth: BotFrameworkAuthentication = createBotAuthentication(config)): ChannelCheckAdapter {
  const adapter = new ChannelCheckAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    const turnLog = turnTraceOf(context)?.log ?? log;
    turnLog.error({ err: error, activityType: context.activity?.type }, 'unhandled error in a turn');
    try {
      if (context.activity?.type === 'message') {
        await context.sendActivity(
          'ChannelCheck hit a problem and could not answer. Nothing was recorded. Try again, or type "new check". If anyone is at immediate risk, call 999 and tell your line manager now.',
        );
      }
    } catch (sendError) {
      turnLog.error({ err: sendError }, 'could not tell the user about the error');
    }
  };
  return adapter;
}
