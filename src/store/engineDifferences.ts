/**
 * Every place where SQLite and PostgreSQL need different SQL, in one file. Everything else is written once.
 *
 * - Row locks. PostgreSQL runs several bot replicas against one database, so a transaction that reads a row
 *   and then changes it locks it first (`FOR UPDATE`), and the outbox/timer claim skips rows another replica
 *   has locked (`FOR UPDATE SKIP LOCKED`) so each row goes to exactly one worker. SQLite has no row locks and
 *   no such syntax; it needs none: every transaction there is `BEGIN IMMEDIATE` (see sqliteDialect.ts), so
 *   there is only ever one writer, and the conditional UPDATEs do the rest.
 * - Snapshot reads. Verifying the audit chain reads it in pages; on PostgreSQL that happens in a
 *   REPEATABLE READ transaction so appends and erasures in between do not show half-way. On SQLite the
 *   immediate transaction already gives a stable view.
 * - Unique violations are reported with different error codes, and so are "cannot write now" (lock wait,
 *   read-only, disk full, connection lost): storeUnavailable() maps both engines' codes to StoreUnavailableError.
 * Connection set-up is per engine by nature: sqliteDialect.ts (BEGIN IMMEDIATE, WAL, group commit, a
 * read-only connection for reads) and postgresDialect.ts (pool, search_path, a migrator introspector limited
 * to the current schema).
 */
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { StoreUnavailableError } from '../domain/ports/storeUnavailable';
import type { Database } from './schema';
import { sqliteUnavailable } from './sqliteErrors';

export type Engine = 'sqlite' | 'postgres';

export function lockForUpdate<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, engine: Engine): SelectQueryBuilder<DB, TB, O> {
  return engine === 'postgres' ? qb.forUpdate() : qb;
}

export function lockSkippingLocked<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, engine: Engine): SelectQueryBuilder<DB, TB, O> {
  return engine === 'postgres' ? qb.forUpdate().skipLocked() : qb;
}

export function inSnapshot<T>(db: Kysely<Database>, engine: Engine, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const builder = db.transaction();
  return (engine === 'postgres' ? builder.setIsolationLevel('repeatable read') : builder).execute(work);
}

/** PostgreSQL 23505 unique_violation; SQLite SQLITE_CONSTRAINT_UNIQUE (or _PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The engine's "cannot do this now" errors as StoreUnavailableError; null for anything else. */
export function storeUnavailable(error: unknown): StoreUnavailableError | null {
  if (error instanceof StoreUnavailableError) return error;
  const sqlite = sqliteUnavailable(error);
  if (sqlite !== null) return sqlite;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = (error as Error | null)?.message ?? String(error);
  if (code === '55P03' || code === '40P01' || code === '57014') return new StoreUnavailableError('busy', detail, { cause: error });
  if (code === '25006') return new StoreUnavailableError('read_only', detail, { cause: error });
  if (code === '53100') return new StoreUnavailableError('full', detail, { cause: error });
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code))) {
    return new StoreUnavailableError('unreachable', detail, { cause: error });
  }
  return null;
}
