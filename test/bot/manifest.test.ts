/** The Teams manifest's command list is the bot's own command list. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { COMMAND_HELP } from '../../src/bot/handlers/commandHandlers';
import { ROOT } from '../support/runCli';

describe('Teams app manifest', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest/manifest.json'), 'utf8'));

  it('lists exactly the commands the bot answers', () => {
    const commands = manifest.bots[0].commandLists[0].commands as Array<{ title: string; description: string }>;
    assert.deepEqual(commands.map((c) => c.title), COMMAND_HELP.map((c) => c.name));
    for (const c of commands) assert.ok(c.description.length <= 128, `${c.title}: Teams limits descriptions to 128 characters`);
  });

  it('has its icons at the sizes Teams requires', () => {
    const size = (f: string) => {
      const b = fs.readFileSync(path.join(ROOT, 'manifest', f));
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    assert.deepEqual(size(manifest.icons.color), [192, 192]);
    assert.deepEqual(size(manifest.icons.outline), [32, 32]);
    assert.ok(manifest.name.short.length <= 30);
    assert.ok(manifest.description.short.length <= 80);
  });
});
