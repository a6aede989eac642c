/**
 * SQLite through better-sqlite3: the embedded default, one bot process (plus the data commands, briefly).
 *
 * Writes go through one connection, the writer, one logical transaction at a time. Every real transaction
 * starts with BEGIN IMMEDIATE, not Kysely's plain BEGIN: the write lock is taken at the start, so two
 * processes on one file (the bot and a CLI) queue for it instead of one failing with SQLITE_BUSY when its
 * read lock cannot be upgraded. WAL lets readers carry on while one writes; synchronous=FULL because nothing
 * here may be lost. The transactions that reach the writer in one turn of the event loop share one real
 * transaction and one COMMIT (sqliteGroupCommit.ts); each still resolves only once its COMMIT is durable.
 * A write outside a transaction is a logical transaction of its own, so it too is durable when it returns.
 *
 * Reads outside a transaction go to a second, read-only connection on the file, which sees only committed
 * data (never a logical transaction still waiting for its group's COMMIT) and needs no writer lock. Reads
 * inside a transaction use the writer. A `:memory:` database has one connection and no group commit.
 *
 * better-sqlite3 is synchronous: while SQLite waits for a lock another process holds, the event loop waits
 * too. So SQLite itself waits only SQLITE_BUSY_TIMEOUT_MS; the waiting is done here, asynchronously, with
 * backoff, for at most the store's busy budget counted from when the operation asked for the connection
 * (busyRetry.ts). Then the operation fails with StoreUnavailableError('busy') and nothing was written.
 * Only a statement that took no effect is retried: BEGIN IMMEDIATE, or a statement outside a transaction.
 *
 * Prepared statements are kept and reused, one cache per connection (statementCache.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type DatabaseConnection, type Dialect, type Driver, SqliteDialect, SqliteDriver, type TransactionSettings } from 'kysely';
import { BusyRetry, type BusyRetryOptions } from './busyRetry';
import { type SqliteFile, SqliteConnection } from './sqliteConnection';
import { inStoreTerms, SQLITE_BUSY_TIMEOUT_MS, sqliteUnavailable } from './sqliteErrors';
import { GroupCommit, type RunControl, WriterLock } from './sqliteGroupCommit';
import { withStatementCache } from './statementCache';

class GroupCommittingSqliteDriver extends SqliteDriver {
  constructor(private readonly file: SqliteFile) {
    super({ database: file.writer });
  }

  override async init(): Promise<void> {}

  override async acquireConnection(): Promise<DatabaseConnection> {
    return new SqliteConnection(this.file, this.file.retry.clock());
  }

  /** A `serializable` transaction runs alone: in a real transaction of its own (storeContext.ts inTransactionAlone). */
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    await (connection as SqliteConnection).begin(settings?.isolationLevel === 'serializable');
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqliteConnection).commit();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqliteConnection).rollback();
  }

  // Optional only because Kysely's SqliteDriver declares it without the connection; Kysely always passes it.
  override async releaseConnection(connection?: DatabaseConnection): Promise<void> {
    (connection as SqliteConnection).release();
  }

  override async destroy(): Promise<void> {
    await this.file.group.flush();
    this.file.reader?.close();
    this.file.writer.close();
  }
}

class GroupCommittingSqliteDialect extends SqliteDialect {
  constructor(private readonly file: SqliteFile) {
    super({ database: file.writer });
  }

  override createDriver(): Driver {
    return new GroupCommittingSqliteDriver(this.file);
  }
}

export function isInMemory(file: string): boolean {
  return file === ':memory:';
}

function openConnection(file: string, options?: BetterSqlite3.Options): BetterSqlite3.Database {
  const database = new BetterSqlite3(file, options);
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return database;
}

/**
 * Opens (creating the folder if needed) the database file; `:memory:` for a throwaway database. `onConnection`
 * sees the writing connection once it is set up (tests use it to make the store read-only or full); the
 * reading connection is read-only already.
 */
export function createSqliteDialect(file: string, busy: BusyRetryOptions = {}, onConnection?: (database: BetterSqlite3.Database) => void): Dialect {
  const inMemory = isInMemory(file);
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let database: BetterSqlite3.Database | undefined;
  let reader: BetterSqlite3.Database | null = null;
  try {
    database = openConnection(file);
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    onConnection?.(database);
    if (!inMemory) reader = openConnection(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    reader?.close();
    database?.close();
    throw sqliteUnavailable(error) ?? error;
  }
  const retry = new BusyRetry(busy);
  const writer = withStatementCache(database);
  const control: RunControl = async (sql, busySince) => {
    const retrying = busySince !== undefined;
    try {
      await retry.run(busySince ?? retry.clock(), { mayRetry: retrying, write: retrying }, async () => void writer.prepare(sql).run());
    } catch (error) {
      throw inStoreTerms(error);
    }
  };
  return new GroupCommittingSqliteDialect({
    writer,
    reader: reader === null ? null : withStatementCache(reader),
    group: new GroupCommit(database, new WriterLock(), control, !inMemory),
    retry,
  });
}
