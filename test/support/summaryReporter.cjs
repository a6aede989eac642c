// Mocha's spec reporter, plus a closing line "N passed, N failed, N skipped" that CI reads, and the
// counts appended to $CHANNELCHECK_TEST_SUMMARY (if set) so scripts/test.mjs can total several runs.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats || { passes: 0, failures: 0, pending: 0 };
      const line = `${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`;
      process.stdout.write(`\nmocha: ${line}\n`);
      if (process.env.CHANNELCHECK_TEST_SUMMARY) {
        fs.appendFileSync(process.env.CHANNELCHECK_TEST_SUMMARY, `${JSON.stringify({ passes: s.passes, failures: s.failures, pending: s.pending })}\n`);
      }
    });
  }
}
module.exports = SummaryReporter;
