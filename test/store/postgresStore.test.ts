/**
 * The store contract on PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), each
 * test in a fresh schema. No server: with CI=true the run fails; otherwise a loud warning and every test
 * here is reported pending, never passed.
 */
import assert from 'node:assert/strict';
import { migrationProvider } from '../../src/store/migrations/migrationProvider';
import { decisionCommand } from './fixtures/sampleDecision';
import { postgresHarness, postgresUnreachable, requirePostgres } from './postgresHarness';
import { describeStoreContract } from './storeContract';

describe('store contract: PostgreSQL', function () {
  this.timeout(30_000);

  before(async function () {
    await requirePostgres(this, 'the PostgreSQL store contract tests');
  });

  describeStoreContract(postgresHarness());
});

describe('PostgreSQL store: replicas starting together', function () {
  this.timeout(30_000);

  before(async function () {
    if ((await postgresUnreachable()) !== null) this.skip();
  });

  it('two replicas starting at once on an empty database both come up, and the schema is migrated once', async function () {
    const db = await postgresHarness().newDatabase();
    try {
      const [a, b] = await Promise.all([db.open(), db.open()]);
      const migrations = (await db.raw().selectFrom('kysely_migration' as 'decisions').selectAll().execute()) as unknown as Array<{ name: string }>;
      assert.deepEqual(migrations.map((m) => m.name).sort(), Object.keys(await migrationProvider.getMigrations()).sort(), 'each migration ran exactly once');
      await a.recordDecision(decisionCommand('CASE-1001', 'start:a'));
      assert.equal((await b.listDecisionsForPractitioner('aad-prac-1', 5)).length, 1);
    } finally {
      await db.drop();
    }
  });
});
