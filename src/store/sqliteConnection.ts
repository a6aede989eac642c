/**
 * One operation's use of the SQLite file, what Kysely calls a connection. It takes the writer (the lock in
 * sqliteGroupCommit.ts) only for a transaction or a write: a transaction's statements run on the writer,
 * inside its logical transaction; a write outside a transaction becomes a logical transaction of its own,
 * so it is durable when it returns; a read outside a transaction runs on the read-only connection, which
 * sees committed data only and never queues behind writes (`:memory:` has no such connection: there
 * everything takes the writer, one statement at a time).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import type { BusyRetry } from './busyRetry';
import { inStoreTerms } from './sqliteErrors';
import type { GroupCommit, Member } from './sqliteGroupCommit';
import type { StatementCachingDatabase } from './statementCache';

/** The store's connections to one file, and what they share. */
export interface SqliteFile {
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

export class SqliteConnection implements DatabaseConnection {
  private member: Member | null = null;
  private holdsWriter = false;

  constructor(
    private readonly file: SqliteFile,
    private readonly askedAt: number,
  ) {}

  /** `alone`: a real transaction of its own, grouped with no other (sqliteGroupCommit.ts). */
  async begin(alone = false): Promise<void> {
    await this.file.group.lock.acquire();
    this.holdsWriter = true;
    this.member = await this.file.group.begin(this.askedAt, alone);
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
