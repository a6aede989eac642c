/**
 * What a practitioner typed, as one of the bot's commands. Pure: any case, punctuation and polite extra
 * words ("New Check please", "can you cancel this check?") are understood; a sentence about something else
 * is not a command, so it gets the short list of what can be said instead of a wrong action.
 */

export const COMMANDS = ['new_check', 'cancel', 'my_checks', 'team_checks', 'approvals', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Words that carry no meaning for a command: politeness, pronouns, filler. */
const FILLER = new Set([
  'a', 'an', 'the', 'please', 'pls', 'plz', 'thanks', 'thank', 'you', 'ta', 'can', 'could', 'would', 'will', 'i', 'id', 'like', 'want', 'wanna',
  'to', 'me', 'show', 'see', 'list', 'view', 'open', 'give', 'get', 'do', 'let', 's', 'lets', 'this', 'that', 'it', 'now', 'just', 'ok', 'okay',
  'hey', 'hi', 'hello', 'channelcheck', 'bot', 'all', 'of', 'for', 'on', 'with', 'is', 'are', 'there', 'any', 'what', 'whats', 'and', 'one',
  'current', 'recent', 'latest', 'pending', 'outstanding', 'waiting', 'some', 'more', 'again', 'up', 'out',
]);

/** More meaningful words than this and the text is a sentence, not a command. */
const MAX_MEANINGFUL_WORDS = 3;

const CANCEL = new Set(['cancel', 'stop', 'abandon', 'quit', 'exit', 'abort', 'nevermind', 'discard']);
const APPROVALS = new Set(['approve', 'approvals', 'approval', 'approving', 'requests', 'request', 'alerts', 'alert', 'decide', 'decisions', 'inbox']);
const TEAM = new Set(['team', 'reports']);
const NEW = new Set(['new', 'start', 'begin', 'another']);
const CHECK = new Set(['check', 'checks', 'checking']);
const HISTORY = new Set(['history', 'mine', 'past', 'previous', 'checks']);
const HELP = new Set(['help', 'commands', 'command', 'menu', 'about', 'info', 'how', 'works', 'explain', 'options']);

/** The words of the text, lower case, letters only ("Can't" → "can", "t"; "check-in" → "check", "in"). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().replace(/never\s*mind/g, 'nevermind').split(/[^a-z]+/).filter((w) => w.length > 0);
}

/** The command the text asks for, or null when it is not one. */
export function parseCommand(text: string): CommandName | null {
  if (text.length > 200) return null;
  const words = wordsOf(text);
  if (words.length === 0) return 'help';
  const meaningful = words.filter((w) => !FILLER.has(w));
  // A greeting or "what can you do": nothing asked but help.
  if (meaningful.length === 0) return 'help';
  if (meaningful.length > MAX_MEANINGFUL_WORDS) return null;
  const has = (set: ReadonlySet<string>) => meaningful.some((w) => set.has(w));
  const isMy = words.includes('my');
  const rest = meaningful.filter((w) => w !== 'my' && !CHECK.has(w));

  if (has(CANCEL)) return 'cancel';
  if (has(APPROVALS)) return 'approvals';
  if (has(TEAM)) return 'team_checks';
  if (has(NEW)) return 'new_check';
  if (has(HELP)) return 'help';
  // Only "check"/"checks" and "my" are left: "check" starts one, "checks" or "my check(s)" list them.
  if (rest.length === 0 && has(CHECK)) return isMy || meaningful.includes('checks') ? 'my_checks' : 'new_check';
  if (rest.every((w) => HISTORY.has(w))) return 'my_checks';
  return null;
}
