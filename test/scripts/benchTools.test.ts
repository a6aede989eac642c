import assert from 'node:assert/strict';
import { serverNodeFlags } from '../../scripts/bench/sideBySide';
import { topSelfTime } from '../../scripts/bench/profileTop';

describe('benchmark tools', () => {
  describe('serverNodeFlags', () => {
    const saved = process.env.BENCH_SERVER_NODE_FLAGS;
    afterEach(() => {
      if (saved === undefined) delete process.env.BENCH_SERVER_NODE_FLAGS;
      else process.env.BENCH_SERVER_NODE_FLAGS = saved;
    });

    it('takes the flags of npm start\'s node command, so the servers run as production does', () => {
      delete process.env.BENCH_SERVER_NODE_FLAGS;
      assert.deepEqual(serverNodeFlags(), ['--disable-warning=DEP0111', '--max-semi-space-size=8', '--heap-growing-percent=50']);
    });

    it('uses BENCH_SERVER_NODE_FLAGS instead when it is set (empty: no flags)', () => {
      process.env.BENCH_SERVER_NODE_FLAGS = ' --max-old-space-size=128   --max-semi-space-size=4 ';
      assert.deepEqual(serverNodeFlags(), ['--max-old-space-size=128', '--max-semi-space-size=4']);
      process.env.BENCH_SERVER_NODE_FLAGS = '';
      assert.deepEqual(serverNodeFlags(), []);
    });
  });

  describe('profileTop', () => {
    const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
    const profile = {
      nodes: [
        frame(1, '(idle)', ''),
        frame(2, 'serialize', 'file:///x/node_modules/@azure/core-client/dist/commonjs/serializer.js'),
        frame(3, 'visitNode', 'file:///x/node_modules/kysely/dist/cjs/operation-node/operation-node-visitor.js'),
        frame(4, 'emit', 'node:events'),
        frame(5, '(garbage collector)', ''),
        frame(6, 'findSession', `file://${process.cwd()}/src/store/wizardSessionRepository.js`),
        frame(7, 'toIso', `file://${process.cwd()}/src/store/columnValues.js`),
      ],
      samples: [1, 2, 3, 3, 4, 5, 6, 7, 7, 1],
      timeDeltas: [5000, 1000, 1000, 1000, 1000, 1500, 1000, 1000, 1000, 9000],
    };

    it('groups self time by package, leaving idle out', () => {
      const rows = topSelfTime(profile, 10, 'package');
      assert.deepEqual(
        rows.map((r) => [r.label, r.ms]),
        [
          ['src/store', 3],
          ['kysely', 2],
          ['(garbage collector)', 1.5],
          ['@azure/core-client', 1],
          ['node:', 1],
        ],
      );
      assert.equal(rows.reduce((n, r) => n + r.share, 0).toFixed(6), '1.000000');
    });

    it('keeps functions apart by default', () => {
      const rows = topSelfTime(profile, 2);
      assert.deepEqual(rows.map((r) => r.label), ['visitNode kysely/dist/cjs/operation-node/operation-node-visitor.js:1', 'toIso src/store/columnValues.js:1']);
    });
  });
});
