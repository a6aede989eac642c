/**
 * SQLite through better-sqlite3: the embedded default, one bot process (plus the data commands, briefly).
 *
 * Every transaction starts with BEGIN IMMEDIATE, not Kysely's plain BEGIN: the write lock is taken at the
 * start, so two processes on one file (the bot and a CLI) queue for it instead of one failing with
 * SQLITE_BUSY when its read lock cannot be upgraded. Within a process Kysely already serialises the single
 * connection. WAL lets readers carry on while one writes; synchronous=FULL because nothing here may be lost.
 *
 * better-sqlite3 is synchronous: while SQLite waits for a lock another process holds, the event loop waits
 * too. So SQLite itself waits only SQLITE_BUSY_TIMEOUT_MS; the waiting is done here, asynchronously, with
 * backoff, for at most the store's busy budget counted from when the operation asked for the connection
 * (busyRetry.ts). Then the operation fails with StoreUnavailableError('busy') and nothing was written.
 * Only a statement that took no effect is retried: BEGIN IMMEDIATE, or a statement outside a transaction.
 *
 * Prepared statements are kept and reused (statementCache.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import { StoreUnavailableError } from '../domain/ports/storeUnavailable';
import { BusyRetry, type BusyRetryOptions } from './busyRetry';
import { withStatementCache } from './statementCache';

/** How long SQLite itself may block the event loop waiting for a lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 20;

/** SQLite's result codes that mean "not now" or "not here", as StoreUnavailableError reasons. */
export function sqliteUnavailable(error: unknown): StoreUnavailableError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const detail = (error as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreUnavailableError('busy', detail, { cause: error });
  if (code.startsWith('SQLITE_READONLY')) return new StoreUnavailableError('read_only', detail, { cause: error });
  if (code === 'SQLITE_FULL') return new StoreUnavailableError('full', detail, { cause: error });
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PROTOCOL') return new StoreUnavailableError('io', detail, { cause: error });
  return null;
}

class RetryingConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly retry: BusyRetry,
    private readonly askedAt: number,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const begins = /^\s*begin\b/i.test(query.sql);
    const mayRetry = begins || !this.inTransaction;
    const write = begins || (!this.inTransaction && !/^\s*(select|with|pragma)\b/i.test(query.sql));
    try {
      return await this.retry.run(this.askedAt, { mayRetry, write }, () => this.inner.executeQuery<R>(query));
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : (sqliteUnavailable(error) ?? error);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class RetryingSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly retry: BusyRetry,
    private readonly database: BetterSqlite3.Database,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const askedAt = this.retry.clock();
    return new RetryingConnection(await super.acquireConnection(), this.retry, askedAt);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    (connection as RetryingConnection).inTransaction = true;
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
    (connection as RetryingConnection).inTransaction = false;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as RetryingConnection).inTransaction = false;
    // After SQLITE_FULL or an I/O error SQLite may already have rolled the whole transaction back: a ROLLBACK
    // then fails ("no transaction is active") and would hide the error that says why.
    if (!this.database.inTransaction) return;
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
}

class RetryingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqliteConfig: SqliteDialectConfig,
    private readonly retry: BusyRetry,
    private readonly database: BetterSqlite3.Database,
  ) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new RetryingSqliteDriver(this.sqliteConfig, this.retry, this.database);
  }
}

export function isInMemory(file: string): boolean {
  return file === ':memory:';
}

/**
 * Opens (creating the folder if needed) the database file; `:memory:` for a throwaway database. `onConnection`
 * sees the connection once it is set up (tests use it to make the store read-only or full).
 */
export function createSqliteDialect(file: string, busy: BusyRetryOptions = {}, onConnection?: (database: BetterSqlite3.Database) => void): Dialect {
  if (!isInMemory(file)) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(file);
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    if (!isInMemory(file)) database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    onConnection?.(database);
  } catch (error) {
    throw sqliteUnavailable(error) ?? error;
  }
  return new RetryingSqliteDialect({ database: withStatementCache(database) }, new BusyRetry(busy), database);
}
