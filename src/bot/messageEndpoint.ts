/**
 * The one place an HTTP request becomes a bot turn. The body is checked against the activity schema first; a
 * malformed activity never reaches botbuilder. The adapter then authenticates and runs the turn; an
 * authentication failure is a bare 401 and any other failure is thrown for the server to log and answer 500,
 * so neither botbuilder's console output nor its error text reaches the caller.
 */
import type { ActivityHandler } from 'botbuilder';
import type { ActivityRequest, ActivityResponse } from '../server/httpServer';
import { HttpRefusal } from '../server/httpRefusal';
import { activitySchema, parseActivity } from './activitySchema';
import type { ChannelCheckAdapter } from './adapter';

function authenticationStatus(e: unknown): number | null {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return status === 401 || status === 403 ? status : null;
}

export function messageEndpoint(adapter: ChannelCheckAdapter, bot: ActivityHandler, { httpsOnly }: { httpsOnly: boolean }): (request: ActivityRequest) => Promise<ActivityResponse> {
  const schema = activitySchema({ httpsOnly });
  return async ({ body, authorization }) => {
    const parsed = parseActivity(schema, body);
    if (!parsed.ok) throw new HttpRefusal(400, parsed.problem);
    try {
      const answer = await adapter.runActivity(authorization ?? '', parsed.activity, (context) => bot.run(context));
      return { status: answer?.status ?? 200, body: answer?.body };
    } catch (e) {
      const status = authenticationStatus(e);
      if (status !== null) throw new HttpRefusal(status, 'the request is not authorised');
      throw e;
    }
  };
}
