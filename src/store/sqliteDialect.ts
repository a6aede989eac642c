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
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import { StoreUnavailableError } from '../domain/ports/storeUnavailable';
import { BusyRetry, type BusyRetryOptions } from './busyRetry';
import { GroupCommit, type Member, type RunControl, WriterLock } from './sqliteGroupCommit';
import { type StatementCachingDatabase, withStatementCache } from './statementCache';

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

/** The store's connections to one file, and what they share. */
interface SqliteFile {
  writer: StatementCachingDatabase;
  /** Null for `:memory:`: everything goes to the writer. */
  reader: StatementCachingDatabase | null;
  group: GroupCommit;
  retry: BusyRetry;
}

function execute<R>(statement: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

function inStoreTerms(error: unknown): unknown {
  return error instanceof StoreUnavailableError ? error : (sqliteUnavailable(error) ?? error);
}

/**
 * What Kysely calls a connection: one operation's use of the file. It takes the writer (lock) only for a
 * transaction or a write, so reads outside a transaction never queue behind writes.
 */
class SqliteConnection implements DatabaseConnection {
  private member: Member | null = null;
  private holdsWriter = false;

  constructor(
    private readonly file: SqliteFile,
    private readonly askedAt: number,
  ) {}

  async begin(): Promise<void> {
    await this.file.group.lock.acquire();
    this.holdsWriter = true;
    this.member = await this.file.group.begin(this.askedAt);
  }

  /** Resolves once the transaction is durable; the writer is handed on before that. */
  async commit(): Promise<void> {
    const member = this.member!;
    this.member = null;
    this.holdsWriter = false;
    await this.file.group.commit(member);
  }

  async rollback(): Promise<void> {
    const member = this.member;
    this.member = null;
    if (member !== null) await this.file.group.rollback(member);
  }

  release(): void {
    if (!this.holdsWriter) return;
    this.holdsWriter = false;
    this.file.group.lock.release();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { writer, reader, group } = this.file;
    const member = this.member;
    if (member !== null) return group.statement(member, () => this.run<R>(writer, query, { mayRetry: false, write: false }));
    if (reader === null) {
      await group.lock.acquire();
      this.holdsWriter = true;
      try {
        return await this.run<R>(writer, query, { mayRetry: true, write: !/^\s*(select|with|pragma)\b/i.test(query.sql) });
      } finally {
        this.release();
      }
    }
    const read = await this.run<R>(reader, query, { mayRetry: true, write: false }, true);
    if (read !== null) return read;
    try {
      await this.begin();
      const result = await this.executeQuery<R>(query);
      await this.commit();
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    } finally {
      this.release();
    }
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    for (const row of (await this.executeQuery<R>(query)).rows) yield { rows: [row] };
  }

  /** One statement on `database`; with `onlyIfRead`, null (nothing run) unless it only reads. */
  private async run<R>(database: StatementCachingDatabase, query: CompiledQuery, retry: { mayRetry: boolean; write: boolean }, onlyIfRead: true): Promise<QueryResult<R> | null>;
  private async run<R>(database: StatementCachingDatabase, query: CompiledQuery, retry: { mayRetry: boolean; write: boolean }): Promise<QueryResult<R>>;
  private async run<R>(database: StatementCachingDatabase, query: CompiledQuery, retry: { mayRetry: boolean; write: boolean }, onlyIfRead = false): Promise<QueryResult<R> | null> {
    try {
      return await this.file.retry.run(this.askedAt, retry, async () => {
        const statement = database.prepare(query.sql);
        if (onlyIfRead && !(statement.reader && statement.readonly)) return null;
        return execute<R>(statement, query.parameters);
      });
    } catch (error) {
      throw inStoreTerms(error);
    }
  }
}

class GroupCommittingSqliteDriver extends SqliteDriver {
  constructor(private readonly file: SqliteFile) {
    super({ database: file.writer });
  }

  override async init(): Promise<void> {}

  override async acquireConnection(): Promise<DatabaseConnection> {
    return new SqliteConnection(this.file, this.file.retry.clock());
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqliteConnection).begin();
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
  let database: BetterSqlite3.Database;
  let reader: BetterSqlite3.Database | null = null;
  try {
    database = openConnection(file);
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    onConnection?.(database);
    if (!inMemory) reader = openConnection(file, { readonly: true, fileMustExist: true });
  } catch (error) {
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
