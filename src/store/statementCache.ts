/**
 * better-sqlite3 with its prepared statements kept: Kysely's SQLite driver calls `prepare(sql)` for every
 * query, and preparing (parsing and planning the SQL) costs more than running most of ours. This wraps the
 * database so `prepare` returns the statement already prepared for the same SQL text. Kysely compiles
 * queries with bound parameters, so the texts are few; the cache is still bounded (least recently used out).
 * A hit only stamps the statement with a use count (no Map delete and set of the SQL text on every query); the
 * least recently used statement is looked for when a new one is added to a full cache, which is rare.
 *
 * Safe because Kysely runs one query at a time on SQLite's single connection (a statement is never busy
 * when it is asked for again), and SQLite re-prepares a statement by itself when the schema changes.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

export interface StatementCachingDatabase extends SqliteDatabase {
  /** How many statements are kept now. */
  readonly cachedStatements: number;
  prepare(sql: string): BetterSqlite3.Statement;
}

interface Kept {
  statement: BetterSqlite3.Statement;
  /** The use count when it was last handed out: the smallest is the least recently used. */
  lastUse: number;
}

export function withStatementCache(database: BetterSqlite3.Database, maxStatements = DEFAULT_STATEMENT_CACHE_SIZE): StatementCachingDatabase {
  if (!Number.isInteger(maxStatements) || maxStatements < 1) throw new RangeError('maxStatements must be a whole number of at least 1');
  const statements = new Map<string, Kept>();
  let uses = 0;

  function dropLeastRecentlyUsed(): void {
    let oldest: string | undefined;
    let oldestUse = Infinity;
    for (const [sql, kept] of statements) {
      if (kept.lastUse < oldestUse) {
        oldest = sql;
        oldestUse = kept.lastUse;
      }
    }
    if (oldest !== undefined) statements.delete(oldest);
  }

  return {
    get cachedStatements() {
      return statements.size;
    },
    prepare(sql: string): BetterSqlite3.Statement {
      const kept = statements.get(sql);
      if (kept !== undefined) {
        kept.lastUse = ++uses;
        return kept.statement;
      }
      const statement = database.prepare(sql);
      if (statements.size >= maxStatements) dropLeastRecentlyUsed();
      statements.set(sql, { statement, lastUse: ++uses });
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
