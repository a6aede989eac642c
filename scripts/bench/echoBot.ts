/**
 * Benchmark fixture: the bare botbuilder bot every botbuilder app pays for. restify + CloudAdapter
 * (anonymous, as the benchmark's ChannelCheck runs), answering an `adaptiveCard/action` invoke with a small
 * card and a message with a text reply. No store, no policy: the baseline a ChannelCheck request is compared
 * with. Run as a child process by scripts/bench.ts; it reports its port over IPC and stops on 'stop'.
 */
import type { AddressInfo } from 'node:net';
import { type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, CloudAdapter, ConfigurationBotFrameworkAuthentication, TeamsActivityHandler, type TurnContext } from 'botbuilder';
import restify from 'restify';
import { reportLoopDelayOnRequest } from './loopDelay';
import { profileOnRequest } from './profiling';

class EchoBot extends TeamsActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = invokeValue.action.verb ?? 'none';
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `You pressed ${verb}`, wrap: true }],
        actions: [{ type: 'Action.Execute', title: 'Again', verb, data: { from: context.activity.from?.id ?? null } }],
      } as never,
    };
  }
}

profileOnRequest('echo');
reportLoopDelayOnRequest();
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new EchoBot();
const server = restify.createServer({ name: 'echo', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (m) => {
  if (m === 'stop') server.close(() => process.exit(0));
});
