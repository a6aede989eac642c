import assert from 'node:assert/strict';
import { cpuByPart, cpuPerPartialCheck, type CutRun, median } from '../../scripts/bench/checkParts';
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

  describe('where a check\'s CPU goes', () => {
    const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);
    /** A run whose partial checks each cost `ms`: cut k takes k + 1 requests a check; whole checks 5, `unfinished` requests left over. */
    const run = (cut: number | null, ms: number, partialChecks: number, unfinished = 0): CutRun => {
      const requests = (cut === null ? 5 : cut + 1) * partialChecks + unfinished;
      const started = cut === null ? requests / 5 : partialChecks;
      return { cut, cpuMs: ms * started, requests, checks: cut === null ? partialChecks : 0, checkRequests: cut === null ? 5 * partialChecks : 0, errors: 0 };
    };
    const repetition = (msByCut: [number, number, number, number, number]): CutRun[] => [run(0, msByCut[0], 120), run(1, msByCut[1], 80), run(2, msByCut[2], 60), run(3, msByCut[3], 50), run(null, msByCut[4], 40, 3)];

    it('counts requests / (k + 1) partial checks when cut after k invokes', () => {
      assert.equal(cpuPerPartialCheck({ cut: 0, cpuMs: 300, requests: 100, checks: 0, checkRequests: 0, errors: 0 }), 3);
      assert.equal(cpuPerPartialCheck({ cut: 2, cpuMs: 600, requests: 150, checks: 0, checkRequests: 0, errors: 0 }), 12);
    });

    it('takes a whole check\'s length from the requests its finished checks took, the checks the deadline cut off left out', () => {
      // 40 checks of 5 requests and 3 requests of checks left unfinished: 203 / 5 = 40.6 checks' worth
      // (cpuMs / checks would read 20.3, charging the unfinished checks' CPU to the finished ones).
      assert.equal(cpuPerPartialCheck({ cut: null, cpuMs: 812, requests: 203, checks: 40, checkRequests: 200, errors: 0 }), 20);
      // A path of 6 requests a check, 10 checks and 4 requests left over (rounding 64 / 10 would read 6 too,
      // but 24 / 2 = 12 would not: the length is the finished checks' own).
      near(cpuPerPartialCheck({ cut: null, cpuMs: 20 * (64 / 6), requests: 64, checks: 10, checkRequests: 60, errors: 0 }), 20);
      near(cpuPerPartialCheck({ cut: null, cpuMs: 10 * (24 / 6), requests: 24, checks: 2, checkRequests: 12, errors: 0 }), 10);
      assert.ok(Number.isNaN(cpuPerPartialCheck({ cut: null, cpuMs: 50, requests: 12, checks: 0, checkRequests: 0, errors: 0 })));
      assert.ok(Number.isNaN(cpuPerPartialCheck({ cut: 1, cpuMs: 0, requests: 0, checks: 0, checkRequests: 0, errors: 0 })));
    });

    it('gives each part\'s marginal CPU, the median and range over the repetitions, and the whole check\'s', () => {
      const first = repetition([3, 5, 7, 9, 20]);
      const second = repetition([3.4, 5.2, 7.6, 9.2, 22]).reverse();
      const { parts, total } = cpuByPart([first, second]);
      assert.deepEqual(parts.map((p) => [p.key, p.label]), [['message', 'message'], ['step1', 'step 1'], ['step2', 'step 2'], ['step3', 'step 3'], ['finalStep', 'final step']]);
      const expected = [[3.2, 3, 3.4], [1.9, 1.8, 2], [2.2, 2, 2.4], [1.8, 1.6, 2], [11.9, 11, 12.8]];
      parts.forEach((p, i) => {
        near(p.medianMs, expected[i]![0]!);
        near(p.minMs, expected[i]![1]!);
        near(p.maxMs, expected[i]![2]!);
      });
      assert.deepEqual(total, { medianMs: 21, minMs: 20, maxMs: 22 });
      near(parts.reduce((n, p) => n + p.medianMs, 0), total.medianMs);
    });

    it('pairs the cuts within a repetition, so the median of three is of the repetitions\' own differences', () => {
      const { parts } = cpuByPart([repetition([3, 5, 7, 9, 20]), repetition([3, 4, 7, 9, 30]), repetition([3, 6, 7, 9, 10])]);
      assert.deepEqual(parts.map((p) => p.medianMs), [3, 2, 2, 2, 11]);
      assert.deepEqual(parts.map((p) => [p.minMs, p.maxMs]), [[3, 3], [1, 3], [1, 3], [2, 2], [1, 21]]);
    });

    it('refuses repetitions with different cuts, or without the message alone or whole checks', () => {
      const full = repetition([3, 5, 7, 9, 20]);
      assert.throws(() => cpuByPart([full, full.slice(0, 4)]), /different cuts/);
      assert.throws(() => cpuByPart([full.slice(1)]), /cut 0/);
      assert.throws(() => cpuByPart([full.slice(0, 4)]), /whole checks/);
      assert.throws(() => cpuByPart([]), /no repetition/);
      assert.throws(() => cpuByPart([[...full, run(2, 7, 60)]]), /measured twice/);
    });

    it('refuses runs with failed requests: a failed request is counted, and cheap, so the parts would be wrong', () => {
      const full = repetition([3, 5, 7, 9, 20]);
      const failing = full.map((r) => (r.cut === 1 ? { ...r, errors: 2 } : r));
      assert.throws(() => cpuByPart([full, failing]), /2 failed request/);
    });

    it('takes the median of an even count as the mean of the middle two', () => {
      assert.equal(median([4, 1, 3, 2]), 2.5);
      assert.equal(median([7, 1, 5]), 5);
      assert.ok(Number.isNaN(median([])));
    });
  });
});
