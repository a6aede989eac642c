/** The README's decide examples are real: running them gives the output the README shows. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../support/runCli';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README examples', () => {
  it('every --format text example prints exactly what the README shows', () => {
    const examples = [...README.matchAll(/```sh\nnpm run --silent decide -- --council (\S+) --format text \\\n {2}--facts '([^']+)'\n```\n\n```text\n([\s\S]*?)```/g)];
    assert.ok(examples.length >= 2, 'the README has a channel and a crisis decide --format text example');
    for (const [, council, facts, shown] of examples) {
      const r = runCli('src/cli/decide.ts', ['--council', council!, '--format', 'text', '--facts', facts!]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, shown);
    }
  });

  it('the JSON example\'s outcome, channel, urgency and decisive rules are what decide returns', () => {
    const m = README.match(/```sh\nnpm run --silent decide -- --council (\S+) \\\n {2}--facts '([^']+)'\n```\n\n```json\n([\s\S]*?)```/);
    assert.ok(m, 'the README has a decide JSON example');
    const [, council, facts, shown] = m;
    const d = JSON.parse(runCli('src/cli/decide.ts', ['--council', council!, '--facts', facts!]).stdout);
    for (const key of ['outcome', 'headline', 'channel', 'urgency']) assert.ok(shown!.includes(`"${key}": ${JSON.stringify(d[key])}`), key);
    for (const r of d.reasons.filter((x: { decisive: boolean }) => x.decisive)) assert.ok(shown!.includes(`"ruleId": "${r.ruleId}", "citation": ${JSON.stringify(r.citation)}`), r.ruleId);
    assert.ok(shown!.includes(JSON.stringify(d.actNow[0].text)), 'first thing to do now');
    assert.ok(shown!.includes(JSON.stringify(d.routineLater.title)), 'the routine part\'s title');
    assert.ok(shown!.includes(JSON.stringify(d.routineLater.alternatives[0].text)), 'first alternative for routine contact later');
  });
});
