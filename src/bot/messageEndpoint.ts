/** The one place an HTTP request becomes a bot turn: CloudAdapter.process with the activity handler. */
import type { ActivityHandler, CloudAdapter, Request, Response } from 'botbuilder';

export function messageEndpoint(adapter: CloudAdapter, bot: ActivityHandler): (req: Request, res: Response) => Promise<void> {
  return (req, res) => adapter.process(req, res, (context) => bot.run(context));
}
