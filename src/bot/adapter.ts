/** The Bot Framework CloudAdapter, authenticated with the bot's app registration (or anonymous locally). */
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config';

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

/**
 * CloudAdapter with one entry point for an activity that has already been read and checked
 * (src/bot/messageEndpoint.ts). CloudAdapter.process would parse the request itself, print failures with
 * console.error and put their text in the response body; this runs the same authentication and turn and
 * leaves the answer to the caller.
 */
export class ChannelCheckAdapter extends CloudAdapter {
  runActivity(authHeader: string, activity: Record<string, unknown>, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    const fixed = { ...activity } as Record<string, unknown>;
    // As CloudAdapter.process does: the timestamps become Dates, the text kept alongside.
    for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
      if (typeof fixed[field] === 'string') {
        fixed[raw] = fixed[field];
        fixed[field] = new Date(fixed[field] as string);
      }
    }
    return this.processActivity(authHeader, fixed as unknown as Activity, logic);
  }
}

export function createAdapter(config: Pick<Config, 'bot'>, log: Logger): ChannelCheckAdapter {
  const adapter = new ChannelCheckAdapter(new ConfigurationBotFrameworkAuthentication(botAuthOptions(config)));
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
