/** The text commands' handlers: new check, help, my checks, team checks, and the fallback. */
import { messageCard } from '../../cards/messageCard';
import type { CardJson } from '../../cards/renderTemplate';
import type { ChecksService } from '../../services/checksService';
import type { WizardService } from '../../services/wizardService';
import type { CommandRoute, CommandRoutes } from '../commands';

export const COMMAND_HELP: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'new check', description: 'Check whether you may use WhatsApp with one contact, and how.' },
  { name: 'my checks', description: 'Your recent checks and what happened to them.' },
  { name: 'team checks', description: 'For line managers: your team\'s recent checks.' },
  { name: 'help', description: 'What ChannelCheck does and how to use it.' },
];

export function helpCard(councilName: string | null): CardJson {
  return messageCard({
    title: 'ChannelCheck: can I use WhatsApp for this contact?',
    paragraphs: [
      `ChannelCheck answers from ${councilName ?? 'your council\'s'} policy: whether you may use WhatsApp with one young person, parent, carer or colleague, or must use Microsoft Teams, another channel, or nothing at all, with the reasons, the conditions, the exact messages to send and what to record.`,
      'If anyone is at immediate risk, call 999 first. ChannelCheck alerts your line manager when a check needs their approval or raises a safeguarding concern.',
      'Type one of these:',
    ],
    items: COMMAND_HELP.map((c) => `**${c.name}**: ${c.description}`),
    showStart: true,
  });
}

export function buildCommandRoutes(deps: { wizard: WizardService; checks: ChecksService; councilName: (tenantId: string) => string | null }): CommandRoutes {
  const routes: CommandRoute[] = [
    {
      names: ['new check', 'new', 'check', 'start', 'start check'],
      description: COMMAND_HELP[0]!.description,
      handler: async ({ actor, conversationRef }) => {
        const { sessionId, card } = await deps.wizard.start(actor, conversationRef);
        return { card, onSent: (activityId) => deps.wizard.attachCard(sessionId, activityId, conversationRef) };
      },
    },
    {
      names: ['my checks', 'my check', 'history'],
      description: COMMAND_HELP[1]!.description,
      handler: async ({ actor }) => ({ card: await deps.checks.mine(actor) }),
    },
    {
      names: ['team checks', 'team', 'my team'],
      description: COMMAND_HELP[2]!.description,
      handler: async ({ actor }) => ({ card: await deps.checks.team(actor) }),
    },
    {
      names: ['help', 'hi', 'hello', 'what can you do'],
      description: COMMAND_HELP[3]!.description,
      handler: async ({ actor }) => ({ card: helpCard(deps.councilName(actor.tenantId)) }),
    },
  ];
  return {
    routes,
    fallback: async () => ({
      card: messageCard({
        title: 'Sorry, I only understand a few commands',
        paragraphs: ['Type **new check** to check a contact, **my checks** for your recent checks, or **help**. If anyone is at immediate risk, call 999 now.'],
        showStart: true,
      }),
    }),
  };
}
