/**
 * Group commit on SQLite (src/store/sqliteGroupCommit.ts): logical transactions that reach the writer in one
 * turn share one COMMIT, and none of them is reported done before that COMMIT. Commits are counted in the WAL
 * itself (its commit frames, with automatic checkpoints off), so the count is what reached the disk.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Generated, Kysely, sql } from 'kysely';
import { StoreUnavailableError } from '../../src/domain/ports/storeUnavailable';
import type { BusyRetryOptions } from '../../src/store/busyRetry';
import { createSqliteDialect } from '../../src/store/sqliteDialect';

interface Schema {
  t: { id: Generated<number>; v: string };
  counter: { id: number; n: number };
}

/** Commit frames in the WAL since it was last reset (a frame header's second word is non-zero on a commit). */
function walCommits(file: string): number {
  const wal = fs.readFileSync(`${file}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return commits;
}

const gates: Array<() => void> = [];

/** A promise the test settles, to hold a transaction open on the writer (opened after each test anyway). */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { wait, open };
}

/** A few turns of the event loop: long enough for a queued group COMMIT to have run, if it could. */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('SQLite group commit', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  let db: Kysely<Schema>;
  let writer: BetterSqlite3.Database;
  const others: BetterSqlite3.Database[] = [];

  /** What a fresh connection to the file sees: only what is committed. */
  const committed = (): string[] => {
    const fresh = new BetterSqlite3(file, { readonly: true });
    try {
      return (fresh.prepare('select v from t order by id').all() as { v: string }[]).map((r) => r.v);
    } finally {
      fresh.close();
    }
  };

  async function open(options: { busy?: BusyRetryOptions; onConnection?: (c: BetterSqlite3.Database) => void } = {}): Promise<void> {
    db = new Kysely<Schema>({
      dialect: createSqliteDialect(file, options.busy, (c) => {
        writer = c;
        c.pragma('wal_autocheckpoint = 0');
        options.onConnection?.(c);
      }),
    });
    await db.schema.createTable('t').ifNotExists().addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('v', 'text', (c) => c.notNull()).execute();
    await db.schema.createTable('counter').ifNotExists().addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).execute();
  }

  const insert = (v: string) => db.transaction().execute((trx) => trx.insertInto('t').values({ v }).execute());

  beforeEach(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-group-'));
    file = path.join(dir, 'store.db');
  });
  afterEach(async function () {
    for (const open of gates.splice(0)) open();
    await db?.destroy().catch(() => undefined);
    for (const c of others.splice(0)) if (c.open) c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits the transactions of one turn with one COMMIT, and transactions awaited one by one with one each', async function () {
    await open();
    const before = walCommits(file);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map(insert));
    assert.equal(walCommits(file) - before, 1, 'five transactions in one turn, one commit');
    for (const v of ['f', 'g', 'h']) await insert(v);
    assert.equal(walCommits(file) - before, 4, 'each awaited transaction is its own group');
    assert.deepEqual(committed(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('resolves a transaction only after the real COMMIT: while another member still holds the writer, it waits and nothing is on disk', async function () {
    await open();
    const held = gate();
    let firstDone = false;
    const first = insert('first').then(() => {
      firstDone = true;
      assert.deepEqual(committed(), ['first', 'second'], 'durable when it resolves');
    });
    const second = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ v: 'second' }).execute();
      await held.wait;
    });
    await turns();
    assert.equal(firstDone, false, 'its COMMIT waits for the member holding the writer');
    assert.deepEqual(committed(), [], 'nothing committed yet');
    held.open();
    await Promise.all([first, second]);
    assert.equal(firstDone, true);
  });

  it('a read outside a transaction never sees a member waiting for its COMMIT; a read inside one does', async function () {
    await open();
    const held = gate();
    const first = insert('pending');
    let seenInside: string[] = [];
    const second = db.transaction().execute(async (trx) => {
      seenInside = (await trx.selectFrom('t').select('v').execute()).map((r) => r.v);
      await held.wait;
    });
    await turns();
    assert.deepEqual(seenInside, ['pending'], 'the writer sees its own group');
    assert.deepEqual((await db.selectFrom('t').select('v').execute()).map((r) => r.v), [], 'outside a transaction: committed data only');
    held.open();
    await Promise.all([first, second]);
    assert.deepEqual((await db.selectFrom('t').select('v').execute()).map((r) => r.v), ['pending']);
  });

  it('a serializable transaction runs alone: the group open before it is committed first, and one that SQLite ends takes nobody with it', async function () {
    await open();
    await insert('seed');
    // The file may not grow by another page: a small row still fits, a row bigger than a page does not.
    writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true }) as number}`);
    const before = walCommits(file);
    const small = insert('small');
    const big = db
      .transaction()
      .setIsolationLevel('serializable')
      .execute((trx) => trx.insertInto('t').values({ v: 'x'.repeat(16_384) }).execute());
    const after = insert('after');
    const [smallResult, bigResult, afterResult] = await Promise.allSettled([small, big, after]);
    assert.equal(smallResult.status, 'fulfilled', 'the write before it is committed on its own');
    assert.equal(bigResult.status, 'rejected');
    assert.ok((bigResult as PromiseRejectedResult).reason instanceof StoreUnavailableError);
    assert.equal(((bigResult as PromiseRejectedResult).reason as StoreUnavailableError).reason, 'full');
    assert.equal(afterResult.status, 'fulfilled', 'the write after it starts a new group');
    assert.deepEqual(committed(), ['seed', 'small', 'after']);
    assert.equal(walCommits(file) - before, 2, 'one COMMIT for the write before it, one for the write after: none shared with it');
  });

  it('rolls back only the member that failed; the others of its group are committed', async function () {
    await open();
    const before = walCommits(file);
    const results = await Promise.allSettled([
      insert('a'),
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ v: 'b' }).execute();
        throw new Error('changed its mind');
      }),
      insert('c'),
      db.transaction().execute((trx) => trx.insertInto('t').values({ id: 1, v: 'duplicate id' }).execute()),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'rejected'],
    );
    assert.deepEqual(committed(), ['a', 'c']);
    assert.equal(walCommits(file) - before, 1);
  });

  it('a failing COMMIT rejects every member of the group with the store error, and none of them is kept', async function () {
    let failCommit = false;
    await open({
      onConnection: (c) => {
        const prepare = c.prepare.bind(c);
        c.prepare = ((text: string) => {
          const statement = prepare(text);
          if (text !== 'commit') return statement;
          return Object.assign(Object.create(statement) as BetterSqlite3.Statement, {
            run: (...args: unknown[]) => {
              if (failCommit) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_FSYNC' });
              return statement.run(...(args as []));
            },
          });
        }) as typeof c.prepare;
      },
    });
    failCommit = true;
    const results = await Promise.allSettled([insert('a'), insert('b'), db.insertInto('t').values({ v: 'autocommit' }).execute()]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof StoreUnavailableError && r.reason.reason === 'io', String(r.reason));
    }
    assert.equal(writer.inTransaction, false, 'rolled back');
    assert.deepEqual(committed(), []);
    failCommit = false;
    await insert('after');
    assert.deepEqual(committed(), ['after'], 'the store goes on');
  });

  it('when SQLite rolls the whole transaction back itself (SQLITE_FULL), every member of the group rejects, not only the one that hit it', async function () {
    await open();
    await insert('before');
    writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true }) as number}`);
    const results = await Promise.allSettled([insert('small'), insert('x'.repeat(50_000)), insert('too late for the group')]);
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' && r.reason instanceof StoreUnavailableError ? r.reason.reason : r.status)),
      ['full', 'full', 'fulfilled'],
      'the first shared the second one\'s group; the third began a new one',
    );
    assert.deepEqual(committed(), ['before', 'too late for the group']);
    writer.pragma('max_page_count = 1073741823');
  });

  it('a write outside a transaction is durable when it returns, and joins the group of its turn', async function () {
    await open();
    const before = walCommits(file);
    await db.insertInto('t').values({ v: 'alone' }).execute();
    assert.deepEqual(committed(), ['alone']);
    await Promise.all([insert('a'), db.insertInto('t').values({ v: 'b' }).execute(), db.updateTable('t').set({ v: 'ALONE' }).where('v', '=', 'alone').execute()]);
    assert.deepEqual(committed(), ['ALONE', 'a', 'b']);
    assert.equal(walCommits(file) - before, 2);
  });

  it('50 concurrent transactions each read and update a shared counter: all commit, none lost, fewer commits than transactions', async function () {
    await open();
    await db.insertInto('counter').values({ id: 1, n: 0 }).execute();
    const before = walCommits(file);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          const { n } = await trx.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
          await trx.updateTable('counter').set({ n: n + 1 }).where('id', '=', 1).execute();
          await trx.insertInto('t').values({ v: `row ${i} saw ${n}` }).execute();
        }),
      ),
    );
    const commits = walCommits(file) - before;
    assert.ok(commits >= 1 && commits < 50, `${commits} commits`);
    const fresh = new BetterSqlite3(file, { readonly: true });
    others.push(fresh);
    assert.equal((fresh.prepare('select n from counter').get() as { n: number }).n, 50);
    assert.deepEqual(
      (fresh.prepare('select v from t').all() as { v: string }[]).map((r) => r.v).sort(),
      Array.from({ length: 50 }, (_, i) => `row ${i} saw ${i}`).sort(),
    );
  });

  it('another process holding the write lock: BEGIN IMMEDIATE waits out the busy budget, then StoreUnavailableError(busy); reads go on', async function () {
    let t = 0;
    const sleeps: number[] = [];
    await open({ busy: { budgetMs: 1500, clock: () => t, sleep: async (ms) => void sleeps.push((t += ms)), random: () => 0.5 } });
    await insert('committed');
    const holder = new BetterSqlite3(file);
    others.push(holder);
    holder.exec('begin immediate');
    await assert.rejects(
      Promise.all([insert('a'), insert('b')]),
      (e: unknown) => e instanceof StoreUnavailableError && e.reason === 'busy',
    );
    assert.ok(sleeps.length > 1 && t >= 1500, `waited the budget (${sleeps.length} pauses, ${t} ms)`);
    assert.deepEqual((await db.selectFrom('t').select('v').execute()).map((r) => r.v), ['committed'], 'reads are not blocked');
    holder.exec('rollback');
    await insert('after');
    assert.deepEqual(committed(), ['committed', 'after']);
  });

  it('close() lets the open group commit, then closes both connections (the WAL is checkpointed away)', async function () {
    await open();
    const held = gate();
    const first = insert('pending at close');
    const second = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ v: 'writing at close' }).execute();
      await held.wait;
    });
    await turns();
    const closing = db.destroy();
    held.open();
    await Promise.all([first, second, closing]);
    assert.equal(fs.existsSync(`${file}-wal`), false, 'the last connection closed checkpointed the WAL');
    assert.deepEqual(committed(), ['pending at close', 'writing at close']);
  });

  it(':memory: commits each transaction at once, and a read outside a transaction waits for the one in progress', async function () {
    db = new Kysely<Schema>({ dialect: createSqliteDialect(':memory:') });
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('v', 'text').execute();
    const held = gate();
    const writing = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ v: 'a' }).execute();
      await held.wait;
    });
    let read: string[] | null = null;
    const reading = db.selectFrom('t').select('v').execute().then((rows) => (read = rows.map((r) => r.v)));
    await turns();
    assert.equal(read, null, 'waits for the writer');
    held.open();
    await Promise.all([writing, reading]);
    assert.deepEqual(read, ['a']);
    assert.deepEqual((await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows, [{ n: 1 }]);
  });
});
