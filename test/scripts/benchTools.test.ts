import assert from 'node:assert/strict';
import { formatLoopDelay, loopDelayOf, loopDelayReply, worstP99Ms } from '../../scripts/bench/loopDelay';
import { serverNodeFlags } from '../../scripts/bench/sideBySide';
import { topAllocations, topSelfTime } from '../../scripts/bench/profileTop';

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

  describe('profileTop on an allocation profile', () => {
    const site = (functionName: string, url: string, selfSize: number, children: unknown[] = []) => ({ callFrame: { functionName, url, lineNumber: 0 }, selfSize, children });
    const head = site('(root)', '', 0, [
      site('executeQuery', 'file:///x/node_modules/kysely/dist/cjs/kysely.js', 4096, [site('toJsonText', `file://${process.cwd()}/src/store/columnValues.js`, 2048)]),
      site('bind', `file://${process.cwd()}/src/bot/presenters/compiledTemplate.js`, 1024, [site('JSON.parse', '', 512), site('toIso', `file://${process.cwd()}/src/store/columnValues.js`, 1024)]),
    ]);

    it('sums the bytes allocated at each site by package, however deep', () => {
      const rows = topAllocations(head as never, 10, 'package');
      assert.deepEqual(rows.map((r) => [r.label, r.bytes]), [
        ['kysely', 4096],
        ['src/store', 3072],
        ['src/bot/presenters', 1024],
        ['(JSON.parse)', 512],
      ]);
      assert.equal(rows.reduce((n, r) => n + r.share, 0), 1);
    });

    it('keeps sites apart by default', () => {
      assert.deepEqual(topAllocations(head as never, 2).map((r) => r.label), ['executeQuery kysely/dist/cjs/kysely.js:1', 'toJsonText src/store/columnValues.js:1']);
    });
  });
  describe('event-loop delay', () => {
    const histogram = (count: number, max: number, percentiles: Record<number, number>) => ({ count, max, percentile: (p: number) => percentiles[p] ?? NaN });

    it('reads p50, p99 and max from a histogram in nanoseconds, as milliseconds', () => {
      assert.deepEqual(loopDelayOf(histogram(500, 48_500_000, { 50: 1_050_000, 99: 12_300_000 })), { p50Ms: 1.05, p99Ms: 12.3, maxMs: 48.5 });
    });

    it('gives NaN, not a histogram\'s empty defaults, for a round with no sample', () => {
      const d = loopDelayOf(histogram(0, 0, { 50: 0, 99: 0 }));
      assert.ok(Number.isNaN(d.p50Ms) && Number.isNaN(d.p99Ms) && Number.isNaN(d.maxMs));
    });

    it('takes a server\'s answer and ignores its other messages; NaN arrives over IPC as null', () => {
      assert.equal(loopDelayReply('profile-stopped'), undefined);
      assert.equal(loopDelayReply({ port: 3978 }), undefined);
      assert.equal(loopDelayReply(null), undefined);
      assert.deepEqual(loopDelayReply({ loopDelay: { p50Ms: 1.1, p99Ms: 4, maxMs: 20 } }), { p50Ms: 1.1, p99Ms: 4, maxMs: 20 });
      const empty = loopDelayReply(JSON.parse(JSON.stringify({ loopDelay: { p50Ms: NaN, p99Ms: NaN, maxMs: NaN } })));
      assert.ok(empty && Number.isNaN(empty.p99Ms) && Number.isNaN(empty.maxMs));
    });

    it('pools rounds as the worst round\'s p99, skipping rounds with no sample', () => {
      const round = (p99Ms: number) => ({ p50Ms: 1, p99Ms, maxMs: 2 * p99Ms });
      assert.equal(worstP99Ms([round(2.5), round(31.4), round(3)]), 31.4);
      assert.equal(worstP99Ms([round(NaN), round(2)]), 2);
      assert.ok(Number.isNaN(worstP99Ms([])));
      assert.ok(Number.isNaN(worstP99Ms([round(NaN)])));
    });

    it('prints p99 and max to a tenth of a millisecond, a dash when there is no sample', () => {
      assert.equal(formatLoopDelay({ p50Ms: 1.04, p99Ms: 12.345, maxMs: 48.06 }), 'loop p99 12.3 ms max 48.1 ms');
      assert.equal(formatLoopDelay({ p50Ms: NaN, p99Ms: NaN, maxMs: NaN }), 'loop p99 - ms max - ms');
    });
  });
});
