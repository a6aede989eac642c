/**
 * Opens the store: builds the Kysely instance for the engine, runs the pending migrations, and returns
 * one object implementing every port in src/domain/ports/store.ts.
 */
import os from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, sql } from 'kysely';
import { TOMBSTONE_TYPES } from '../domain/audit/hashChain';
import { AUDIT_EVENT_TYPES, type ChannelCheckStore } from '../domain/ports/store';
import { appendAudit, listAuditEvents, verifyAuditChain } from './auditLog';
import type { BusyRetryOptions } from './busyRetry';
import { toIso } from './columnValues';
import { eraseCase } from './caseErasure';
import { createConsentRegisterRepository } from './consentRegisterRepository';
import { createConversationReferenceRepository } from './conversationReferenceRepository';
import { createDecisionRepository } from './decisionRepository';
import { inSnapshot, storeUnavailable, type Engine } from './engineDifferences';
import { createEscalationRepository } from './escalationRepository';
import { createApprovalRepository } from './approvalRepository';
import { checkId, DEFAULT_CASE_REF_PATTERN } from './fieldRules';
import { migrationProvider } from './migrations/migrationProvider';
import { createOutboxRepository } from './outboxRepository';
import { createPostgresDialect, type PostgresOptions } from './postgresDialect';
import { verifyRecordSeals } from './recordSeals';
import { purgeExpired } from './retentionPurge';
import type { Database } from './schema';
import { createSqliteDialect } from './sqliteDialect';
import { StoreValidationError } from './storeErrors';
import { createDisclosureQueries } from './disclosureQueries';
import { inTransaction, inTransactionAlone, type StoreContext } from './storeContext';
import { createTimerRepository } from './timerRepository';
import { createWizardSessionRepository } from './wizardSessionRepository';

interface CommonOptions {
  /** A case reference must match this (and contain a digit). Default: DEFAULT_CASE_REF_PATTERN. */
  caseRefPattern?: RegExp;
  /** Where "now" comes from for record times (tests move it). Default: the system clock. */
  now?: () => Date;
}

export type StoreOptions =
  | (CommonOptions & {
      engine: 'sqlite';
      /** A file path, or ':memory:'. */
      file: string;
      /** How long an operation may wait for another process's write lock (asynchronously). Default 1.5 s. */
      busy?: BusyRetryOptions;
      /** Sees the connection once it is set up (tests: `PRAGMA query_only`, `max_page_count`). */
      onConnection?: (database: BetterSqlite3.Database) => void;
    })
  | (CommonOptions & { engine: 'postgres' } & PostgresOptions);

export class MigrationError extends Error {
  constructor(migration: string, cause: unknown) {
    super(`database migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration)';
    throw new MigrationError(failed, error);
  }
}

export function createKysely(options: StoreOptions): Kysely<Database> {
  const dialect = options.engine === 'sqlite' ? createSqliteDialect(options.file, options.busy, options.onConnection) : createPostgresDialect(options);
  return new Kysely<Database>({ dialect });
}

const HEARTBEAT_BY = `${os.hostname().slice(0, 64)}:${process.pid}`;

/** Bigger than a SQLite page (4 KiB by default), so writing it needs new pages. */
const GROWTH_PROBE_CHARS = 16_384;

/**
 * A real, committed write of one tiny row: a held lock, a read-only file or a full disk all fail it. On SQLite
 * the tiny row fits in its page even when the file can no longer grow, so the probe also writes a row bigger
 * than a page and rolls it back (a savepoint): a store that cannot take one more page is reported full.
 * SQLite may end the whole transaction on that failure, so the probe runs in a transaction of its own.
 */
async function writeHeartbeat(ctx: StoreContext): Promise<void> {
  try {
    await inTransactionAlone(ctx, async (trx) => {
      // Another session holding the row must not hang the probe (SQLite's wait is bounded by the busy budget).
      if (ctx.engine === 'postgres') await sql`set local lock_timeout = '1s'`.execute(trx);
      await trx.updateTable('store_heartbeat').set({ beat_at: toIso(ctx.now()), beat_by: HEARTBEAT_BY }).where('id', '=', 1).execute();
      if (ctx.engine === 'sqlite') {
        await sql`savepoint room_to_grow`.execute(trx);
        await sql`insert into store_heartbeat (id, beat_at, beat_by) values (2, 'growth probe', ${'0'.repeat(GROWTH_PROBE_CHARS)})`.execute(trx);
        await sql`rollback to room_to_grow`.execute(trx);
        await sql`release room_to_grow`.execute(trx);
      }
    });
  } catch (error) {
    throw storeUnavailable(error) ?? error;
  }
}

export async function openStore(options: StoreOptions): Promise<ChannelCheckStore> {
  const engine: Engine = options.engine;
  const db = createKysely(options);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const ctx: StoreContext = {
    db,
    engine,
    now: options.now ?? (() => new Date()),
    caseRefPattern: options.caseRefPattern ?? DEFAULT_CASE_REF_PATTERN,
  };
  return {
    engine,
    ...createWizardSessionRepository(ctx),
    ...createDecisionRepository(ctx),
    ...createApprovalRepository(ctx),
    ...createEscalationRepository(ctx),
    ...createTimerRepository(ctx),
    ...createOutboxRepository(ctx),
    ...createConversationReferenceRepository(ctx),
    ...createDisclosureQueries(ctx),
    ...createConsentRegisterRepository(ctx),
    appendAuditEvent: async (event) => {
      if (!AUDIT_EVENT_TYPES.includes(event.type) || (TOMBSTONE_TYPES as readonly string[]).includes(event.type)) {
        throw new StoreValidationError('type', 'must be an audit event type other than a tombstone (case.erased, retention.purged)');
      }
      const checked = { ...event, actor: checkId(event.actor, 'actor') };
      return inTransaction(ctx, (trx) => appendAudit(trx, ctx, checked));
    },
    listAuditEvents: (filter) => listAuditEvents(ctx.db, filter),
    verifyAuditChain: () => verifyAuditChain(ctx),
    verifyRecords: (decisionIds) => inSnapshot(ctx.db, ctx.engine, (trx) => verifyRecordSeals(trx, decisionIds)),
    eraseCase: (caseRef, actor) => eraseCase(ctx, caseRef, actor),
    purgeExpired: (retention, now, actor) => purgeExpired(ctx, retention, now, actor),
    checkWritable: () => writeHeartbeat(ctx),
    close: () => db.destroy(),
  };
}
