/**
 * The per-user rate limit: points per window per key, in memory (one SQLite process) or shared by every
 * replica through PostgreSQL. The memory limiter is driven by fake timers (the library reads the clock itself).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import sinon from 'sinon';
import { isSafeguardingAction } from '../../src/bot/turnThrottle';
import { createUserRateLimiter } from '../../src/limits/userRateLimiter';
import { postgresUnreachable, requirePostgres, TEST_DATABASE_URL } from '../store/postgresHarness';

describe('per-user rate limit', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: Date.parse('2026-03-03T10:00:00Z'), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  it('allows the window\'s points, refuses the next with the time to wait, and allows again once the window has passed', async () => {
    const limiter = await createUserRateLimiter({ points: 3, windowSeconds: 60, keyPrefix: 'test' });
    for (let i = 0; i < 3; i++) assert.equal((await limiter.consume('t:alice')).allowed, true);
    clock.tick(20_000);
    const refused = await limiter.consume('t:alice');
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 39_000 && refused.retryAfterMs <= 40_000, String(refused.retryAfterMs));
    assert.equal((await limiter.consume('t:bob')).allowed, true, 'another user has their own points');
    clock.tick(40_001);
    assert.equal((await limiter.consume('t:alice')).allowed, true, 'a new window');
  });

  it('a limit of 0 points is no limit', async () => {
    const limiter = await createUserRateLimiter({ points: 0, windowSeconds: 60, keyPrefix: 'test' });
    for (let i = 0; i < 1000; i++) assert.equal((await limiter.consume('t:alice')).allowed, true);
  });
});

describe('safeguarding actions are never throttled', () => {
  it('exempts escalation verbs and answers that indicate risk, and nothing else', () => {
    assert.equal(isSafeguardingAction('escalation.acknowledge', {}), true);
    assert.equal(isSafeguardingAction('escalation.anything', null), true);
    assert.equal(isSafeguardingAction('wizard.next', { immediateRiskToLife: 'true' }), true);
    assert.equal(isSafeguardingAction('wizard.next', { safeguardingConcern: 'yes' }), true);
    assert.equal(isSafeguardingAction('wizard.next', { safeguardingConcern: true }), true);
    assert.equal(isSafeguardingAction('wizard.next', { immediateRiskToLife: 'false', safeguardingConcern: 'no' }), false);
    assert.equal(isSafeguardingAction('approval.approve', {}), false);
    assert.equal(isSafeguardingAction('wizard.start', { verb: 'escalation.acknowledge' }), false, 'the verb, not card data, decides');
    assert.equal(isSafeguardingAction(null, null), false);
  });
});

describe('per-user rate limit shared through PostgreSQL', function () {
  this.timeout(30_000);
  const schema = `cc_rl_${randomBytes(6).toString('hex')}`;
  const pools: Pool[] = [];

  async function admin(statement: string): Promise<void> {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  before(async function () {
    await requirePostgres(this, 'the shared rate-limit tests');
    await admin(`create schema ${schema}`);
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.end()));
    if ((await postgresUnreachable()) === null) await admin(`drop schema if exists ${schema} cascade`);
  });

  it('two replicas share one user\'s points', async () => {
    const replica = async () => {
      const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
      pools.push(pool);
      return createUserRateLimiter({ points: 5, windowSeconds: 3600, keyPrefix: 'bot', postgres: { pool, schemaName: schema } });
    };
    const [a, b] = [await replica(), await replica()];
    for (let i = 0; i < 3; i++) assert.equal((await a.consume('t:alice')).allowed, true);
    for (let i = 0; i < 2; i++) assert.equal((await b.consume('t:alice')).allowed, true);
    const [onA, onB] = await Promise.all([a.consume('t:alice'), b.consume('t:alice')]);
    assert.equal(onA.allowed, false);
    assert.equal(onB.allowed, false);
    assert.ok(onA.retryAfterMs > 0);
    assert.equal((await b.consume('t:bob')).allowed, true);
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`select key, points from ${schema}.rate_limits order by key`);
      assert.deepEqual(rows.map((r) => r.key), ['bot:t:alice', 'bot:t:bob'], 'the count lives in the database');
    } finally {
      await client.end();
    }
  });
});
