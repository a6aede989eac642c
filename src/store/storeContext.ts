/** What every repository needs: the database, which engine it is, the clock and the case-reference rule. */
import type { Kysely, Transaction, TransactionBuilder } from 'kysely';
import { type Engine, storeUnavailable } from './engineDifferences';
import type { Database } from './schema';

export interface StoreContext {
  db: Kysely<Database>;
  engine: Engine;
  now: () => Date;
  caseRefPattern: RegExp;
}

/** A query runner: the database itself or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** Runs `builder`'s transaction, with either engine's "cannot write now" as StoreUnavailableError. */
async function run<T>(builder: TransactionBuilder<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  try {
    return await builder.execute(work);
  } catch (error) {
    throw storeUnavailable(error) ?? error;
  }
}

/**
 * Runs `work` in one transaction (BEGIN IMMEDIATE on SQLite, READ COMMITTED on PostgreSQL). Either engine's
 * "cannot write now" (lock wait given up, read-only, disk full, connection lost) becomes StoreUnavailableError.
 */
export function inTransaction<T>(ctx: StoreContext, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return run(ctx.db.transaction(), work);
}

/**
 * As inTransaction, but on SQLite in a real transaction of its own, not grouped with others' (the dialect
 * takes `serializable` to mean that): for work that may make SQLite end the whole transaction, such as
 * a write meant to fail when the file cannot grow. On PostgreSQL it is inTransaction.
 */
export function inTransactionAlone<T>(ctx: StoreContext, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const builder = ctx.db.transaction();
  return run(ctx.engine === 'sqlite' ? builder.setIsolationLevel('serializable') : builder, work);
}
