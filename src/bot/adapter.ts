/** The Bot Framework CloudAdapter, authenticated with the bot's app registration (or anonymous locally). */
import { CloudAdapter, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ReusedConnectorClientsAuthentication } from './reusedConnectorClients';

export function botAuthOptions(config: Pick<Config, 'bot'>): ConfigurationBotFrameworkAuthenticationOptions {
  const { appId, appPassword, appType, tenantId } = config.bot;
  if (!appId) return {};
  return {
    MicrosoftAppId: appId,
    ...(appPassword ? { MicrosoftAppPassword: appPassword } : {}),
    MicrosoftAppType: appType,
    ...(tenantId ? { MicrosoftAppTenantId: tenantId } : {}),
  } as ConfigurationBotFrameworkAuthenticationOptions;
}

export function createAdapter(config: Pick<Config, 'bot'>, log: Logger): CloudAdapter {
  const adapter = new CloudAdapter(new ReusedConnectorClientsAuthentication(botAuthOptions(config)));
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityType: context.activity?.type }, 'unhandled error in a turn');
    try {
      if (context.activity?.type === 'message') {
        await context.sendActivity(
          'ChannelCheck hit a problem and could not answer. Nothing was recorded. Try again, or type "new check". If anyone is at immediate risk, call 999 and tell your line manager now.',
        );
      }
    } catch (sendError) {
      log.error({ err: sendError }, 'could not tell the user about the error');
    }
  };
  return adapter;
}
