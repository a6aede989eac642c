/**
 * SQLite through better-sqlite3: the embedded default, one bot process.
 *
 * Every transaction starts with BEGIN IMMEDIATE, not Kysely's plain BEGIN: the write lock is taken at the
 * start, so two processes on one file (the bot and a CLI) queue on busy_timeout instead of one failing with
 * SQLITE_BUSY when its read lock cannot be upgraded. Within a process Kysely already serialises the single
 * connection. WAL lets readers carry on while one writes; synchronous=FULL because nothing here may be lost.
 * Prepared statements are kept and reused (statementCache.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely';
import { withStatementCache } from './statementCache';

export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateTransactionSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.sqliteConfig);
  }
}

export function isInMemory(file: string): boolean {
  return file === ':memory:';
}

/** Opens (creating the folder if needed) the database file; `:memory:` for a throwaway database. */
export function createSqliteDialect(file: string): Dialect {
  if (!isInMemory(file)) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new BetterSqlite3(file);
  if (!isInMemory(file)) database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  return new ImmediateTransactionSqliteDialect({ database: withStatementCache(database) });
}
