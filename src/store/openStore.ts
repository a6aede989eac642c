/**
 * Opens the store: builds the Kysely instance for the engine, runs the pending migrations, and returns
 * one object implementing every port in src/domain/ports/store.ts.
 */
import { Kysely, Migrator } from 'kysely';
import { TOMBSTONE_TYPES } from '../domain/audit/hashChain';
import { AUDIT_EVENT_TYPES, type ChannelCheckStore } from '../domain/ports/store';
import { appendAudit, listAuditEvents, verifyAuditChain } from './auditLog';
import { eraseCase } from './caseErasure';
import { createConsentRegisterRepository } from './consentRegisterRepository';
import { createConversationReferenceRepository } from './conversationReferenceRepository';
import { createDecisionRepository } from './decisionRepository';
import type { Engine } from './engineDifferences';
import { createEscalationRepository } from './escalationRepository';
import { createApprovalRepository } from './approvalRepository';
import { checkId, DEFAULT_CASE_REF_PATTERN } from './fieldRules';
import { migrationProvider } from './migrations/migrationProvider';
import { createOutboxRepository } from './outboxRepository';
import { createPostgresDialect, type PostgresOptions } from './postgresDialect';
import { purgeExpired } from './retentionPurge';
import type { Database } from './schema';
import { createSqliteDialect } from './sqliteDialect';
import { StoreValidationError } from './storeErrors';
import { createDisclosureQueries } from './disclosureQueries';
import { inTransaction, type StoreContext } from './storeContext';
import { createTimerRepository } from './timerRepository';
import { createWizardSessionRepository } from './wizardSessionRepository';

interface CommonOptions {
  /** A case reference must match this (and contain a digit). Default: DEFAULT_CASE_REF_PATTERN. */
  caseRefPattern?: RegExp;
  /** Where "now" comes from for record times (tests move it). Default: the system clock. */
  now?: () => Date;
}

export type StoreOptions =
  | (CommonOptions & { engine: 'sqlite'; /** A file path, or ':memory:'. */ file: string })
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
  const dialect = options.engine === 'sqlite' ? createSqliteDialect(options.file) : createPostgresDialect(options);
  return new Kysely<Database>({ dialect });
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
    eraseCase: (caseRef, actor) => eraseCase(ctx, caseRef, actor),
    purgeExpired: (retention, now, actor) => purgeExpired(ctx, retention, now, actor),
    close: () => db.destroy(),
  };
}
