/**
 * better-sqlite3 with its prepared statements kept: Kysely's SQLite driver calls `prepare(sql)` for every
 * query, and preparing (parsing and planning the SQL) costs more than running most of ours. This wraps the
 * database so `prepare` returns the statement already prepared for the same SQL text. Kysely compiles
 * queries with bound parameters, so the texts are few; the cache is still bounded (least recently used out).
 *
 * Safe because Kysely runs one query at a time on SQLite's single connection (a statement is never busy
 * when it is asked for again), and SQLite re-prepares a statement by itself when the schema changes.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { LruMap } from '../domain/lruMap';

export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

export interface StatementCachingDatabase extends SqliteDatabase {
  /** How many statements are kept now. */
  readonly cachedStatements: number;
  prepare(sql: string): BetterSqlite3.Statement;
}

export function withStatementCache(database: BetterSqlite3.Database, maxStatements = DEFAULT_STATEMENT_CACHE_SIZE): StatementCachingDatabase {
  const statements = new LruMap<string, BetterSqlite3.Statement>(maxStatements);
  return {
    get cachedStatements() {
      return statements.size;
    },
    prepare(sql: string): BetterSqlite3.Statement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
