import assert from 'node:assert/strict';
import { caseNoteText } from '../../src/domain/caseNote';
import { evaluate } from '../../src/domain/policy/evaluate';
import { parseFacts } from '../../src/domain/facts';
import { loadPolicies, SCENARIO_SUFFIX } from '../../src/policyFiles/loadPolicies';
import fs from 'node:fs';
import path from 'node:path';
import { parseScenarioFile } from '../../src/domain/policy/scenarios';

// Every scenario of every council pack: the case note says nothing twice and nothing untrue.
describe('case note for every pack scenario', function () {
  const catalogue = loadPolicies();
  for (const [id, policy] of catalogue.councils) {
    it(`${id}: no line twice, conditions "to follow", scripts "not yet sent"`, function () {
      const { scenarios } = parseScenarioFile(fs.readFileSync(path.join(catalogue.dir, `${id}${SCENARIO_SUFFIX}`), 'utf8'), id);
      assert.ok(scenarios.length > 0);
      for (const s of scenarios) {
        const note = caseNoteText({ practitionerDisplayName: 'Jo Example', createdAt: new Date('2026-03-03T14:05:00Z'), caseRef: 'CR-1', decision: evaluate(policy, parseFacts(s.facts)) });
        const body = note.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/\s*\[[^\]]*\]$/, '').toLowerCase());
        const twice = body.filter((l, i) => body.indexOf(l) !== i);
        assert.deepEqual(twice, [], `${s.name}: repeated ${JSON.stringify(twice)}`);
        assert.doesNotMatch(note, /agreed:|sent:/i, s.name);
        // Nor the same sentence in other words (the council's recording instruction quoting a rule that fired).
        const sets = body.map((l) => new Set(l.replace(/\([^)]*\)/g, ' ').match(/[a-z]{3,}/g) ?? [])).map((w, i) => ({ w, line: body[i]! })).filter((x) => x.w.size >= 6);
        for (const [i, a] of sets.entries()) {
          for (const b of sets.slice(i + 1)) {
            const shared = [...a.w].filter((x) => b.w.has(x)).length;
            assert.ok(shared / Math.max(a.w.size, b.w.size) < 0.75, `${s.name}: says twice:\n  ${a.line}\n  ${b.line}`);
          }
        }
      }
    });
  }
});
