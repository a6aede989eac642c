/**
 * PostgreSQL databases for the contract suite: a fresh schema (cc_test_<random>) per database on the server
 * at TEST_DATABASE_URL, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { Client } from 'pg';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { createKysely, openStore } from '../../src/store/openStore';
import type { Database } from '../../src/store/schema';
import type { StoreHarness, TestDatabase } from './storeHarness';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Null when the server answers, else why not. */
export async function postgresUnreachable(url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * For a mocha `before` of PostgreSQL tests: goes on when the server answers. Otherwise, with CI=true, fails
 * (they must run there); elsewhere says loudly that `what` is skipped, not passed, and skips.
 */
export async function requirePostgres(context: Mocha.Context, what: string): Promise<void> {
  const problem = await postgresUnreachable();
  if (problem === null) return;
  const message = `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${problem}).`;
  if (process.env.CI === 'true') throw new Error(`${message} CI=true: ${what} must run. Start the server or set TEST_DATABASE_URL.`);
  process.stderr.write(`\n${'!'.repeat(100)}\n!! ${message}\n!! ${what} SKIPPED (pending), not passed. Set CI=true to make this a failure.\n${'!'.repeat(100)}\n\n`);
  context.skip();
}

async function admin(statement: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function postgresHarness(): StoreHarness {
  return {
    engine: 'postgres',
    async newDatabase(): Promise<TestDatabase> {
      const schema = `cc_test_${randomBytes(6).toString('hex')}`;
      await admin(`create schema ${schema}`);
      const opened: ChannelCheckStore[] = [];
      let raw: Kysely<Database> | undefined;
      const open: TestDatabase['open'] = async (options = {}) => {
        const store = await openStore({ engine: 'postgres', connectionString: TEST_DATABASE_URL, schema, ...options });
        opened.push(store);
        return store;
      };
      const rawDb = (): Kysely<Database> => {
        raw ??= createKysely({ engine: 'postgres', connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
        return raw;
      };
      return {
        open,
        async openReplicas(options = {}) {
          const first = await open(options);
          const second = await open(options);
          return [first, second];
        },
        raw: rawDb,
        async holdWriteLock() {
          const other = new Client({ connectionString: TEST_DATABASE_URL });
          await other.connect();
          await other.query('begin');
          await other.query(`lock table ${schema}.store_heartbeat in exclusive mode`);
          return async () => {
            await other.query('rollback');
            await other.end();
          };
        },
        async refuseWrites(reason) {
          // The engine's own error codes, raised by the database for every write on the schema's tables.
          const errcode = reason === 'full' ? 'disk_full' : 'read_only_sql_transaction';
          const words = reason === 'full' ? 'could not extend file: No space left on device' : 'cannot execute UPDATE in a read-only transaction';
          await sql.raw(`create or replace function ${schema}.refuse_writes() returns trigger language plpgsql as $$ begin raise exception '${words}' using errcode = '${errcode}'; end $$`).execute(rawDb());
          const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = ${schema}`.execute(rawDb());
          for (const { tablename } of tables.rows) {
            await sql.raw(`create trigger refuse_writes before insert or update or delete on ${schema}.${tablename} for each statement execute function ${schema}.refuse_writes()`).execute(rawDb());
          }
        },
        async allowWrites() {
          await sql.raw(`drop function ${schema}.refuse_writes() cascade`).execute(rawDb());
        },
        async failOutboxInserts() {
          await sql
            .raw(`create function ${schema}.fail_outbox() returns trigger language plpgsql as $$ begin raise exception 'simulated crash while queuing a notification'; end $$`)
            .execute(rawDb());
          await sql.raw(`create trigger fail_outbox before insert on ${schema}.outbox for each row execute function ${schema}.fail_outbox()`).execute(rawDb());
        },
        async drop() {
          for (const store of opened) await store.close().catch(() => undefined);
          await raw?.destroy();
          await admin(`drop schema if exists ${schema} cascade`);
        },
      };
    },
  };
}
