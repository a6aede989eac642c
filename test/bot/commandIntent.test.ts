/** Text commands as people type them: any case, punctuation and polite extra words; other sentences are not commands. */
import assert from 'node:assert/strict';
import { type CommandName, parseCommand } from '../../src/domain/commandIntent';

const SAID: Record<CommandName, string[]> = {
  new_check: ['new check', 'New Check please', 'NEW CHECK', 'new', 'start', 'Start a check', 'check', 'begin a new check', 'I want to start a new check please', 'new check!', '  new   check  ', 'another check', 'can you start a check for me?'],
  cancel: ['cancel', 'stop', 'Cancel check', 'CANCEL', 'stop please', 'please cancel this check', 'stop the check', 'abandon', 'quit', 'never mind', 'nevermind', 'cancel new check', 'Stop!'],
  my_checks: ['my checks', 'My Checks', 'my check', 'checks', 'history', 'show me my checks', 'my recent checks please', 'my past checks'],
  team_checks: ['team checks', 'Team', 'my team', "my team's checks", 'team checks please', 'show my team checks'],
  approvals: ['approvals', 'approve', 'Approvals please', 'pending approvals', 'alerts', 'my approvals', 'requests', 'what needs my approval', 'open alerts'],
  help: ['help', 'HELP', 'Help me', 'hi', 'hello', 'Hello!', 'what can you do', 'how does it work', 'commands', '?', ''],
};

const NOT_COMMANDS = [
  'what is the weather',
  'I want to stop using WhatsApp with this family',
  'can I use my personal phone to text a parent',
  'John Smith',
  'CR-102938',
  'yes',
  'thanks for your help with the young person yesterday',
  'x'.repeat(300),
  'check '.repeat(60),
];

describe('text commands as people type them', () => {
  for (const [command, phrasings] of Object.entries(SAID)) {
    it(`understands ${command} in ${phrasings.length} phrasings`, () => {
      for (const text of phrasings) assert.equal(parseCommand(text), command, JSON.stringify(text));
    });
  }

  it('treats a sentence about something else as no command', () => {
    for (const text of NOT_COMMANDS) assert.equal(parseCommand(text), null, JSON.stringify(text.slice(0, 60)));
  });

  it('reads hostile text as plain words: markup, control characters and other scripts change nothing', () => {
    assert.equal(parseCommand('<at>ChannelCheck</at> cancel'), 'cancel');
    assert.equal(parseCommand('cancel\u0000\u202e'), 'cancel');
    assert.equal(parseCommand('**new** _check_'), 'new_check');
    assert.equal(parseCommand('${jndi:ldap://x}'), null);
    assert.equal(parseCommand('ｃａｎｃｅｌ'), 'help', 'full-width letters are not read as a command');
  });
});
