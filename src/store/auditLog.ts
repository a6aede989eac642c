/**
 * The append-only, hash-chained audit trail. Appends happen inside the caller's transaction, after its
 * other writes, and lock the single chain-head row first: concurrent appends from several replicas queue
 * on that lock, so each gets the next seq and the previous hash, and the chain never forks.
 */
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Transaction } from 'kysely';
import { canonicalCaseRef } from '../domain/caseReference';
import {
  canonicalJson,
  ChainVerifier,
  eventHash,
  sha256Hex,
  type StoredChainEvent,
  type Tombstone,
  TOMBSTONE_TYPES,
  tombstoneOf,
} from '../domain/audit/hashChain';
import type { AuditEvent, AuditEventType, AuditVerification, NewAuditEvent } from '../domain/ports/store';
import { fromIso, fromJsonText, toIso } from './columnValues';
import { inSnapshot, lockForUpdate } from './engineDifferences';
import { precompile } from './precompiledQuery';
import type { AuditEventsTable, Database } from './schema';
import type { Executor, StoreContext } from './storeContext';

const CHAIN_HEAD_ID = 1;
const VERIFY_PAGE_SIZE = 1000;

function toAuditEvent(row: AuditEventsTable): AuditEvent {
  return {
    seq: row.seq,
    id: row.id,
    decisionId: row.decision_id,
    caseRef: row.case_ref,
    type: row.type as AuditEventType,
    actor: row.actor,
    payload: fromJsonText<unknown>(row.payload),
    payloadHash: row.payload_hash,
    createdAt: fromIso(row.created_at),
    prevHash: row.prev_hash,
    hash: row.hash,
    redactedBySeq: row.redacted_by_seq,
  };
}

function toChainEvent(row: AuditEventsTable): StoredChainEvent {
  return {
    seq: row.seq,
    id: row.id,
    decisionId: row.decision_id,
    caseRef: row.case_ref,
    type: row.type,
    actor: row.actor,
    payloadHash: row.payload_hash,
    createdAt: row.created_at,
    prevHash: row.prev_hash,
    payloadText: row.payload,
    hash: row.hash,
    redactedBySeq: row.redacted_by_seq,
    recordHash: row.record_hash,
  };
}

/** Case references are matched in canonical form: events chained before it existed keep the form typed then. */
export function sameCaseRef(eb: ExpressionBuilder<Database, 'audit_events'>, caseRef: string) {
  return eb(eb.fn('upper', ['case_ref']), '=', canonicalCaseRef(caseRef));
}

// Every decision appends at least one event: the append's three statements run precompiled.
export const chainHeadForUpdate = precompile('chainHeadForUpdate', (db, _p: Record<never, never>, engine) =>
  lockForUpdate(db.selectFrom('audit_chain_head').selectAll().where('id', '=', CHAIN_HEAD_ID), engine),
);

export const auditInsert = precompile('auditInsert', (db, p: AuditEventsTable) => db.insertInto('audit_events').values(p));

export const chainHeadUpdate = precompile('chainHeadUpdate', (db, p: { lastSeq: number; lastHash: string }) =>
  db.updateTable('audit_chain_head').set({ last_seq: p.lastSeq, last_hash: p.lastHash }).where('id', '=', CHAIN_HEAD_ID),
);

/** Appends one event. Call it last in the transaction, so the chain head is locked for as short as possible. */
export async function appendAudit(trx: Transaction<Database>, ctx: StoreContext, event: NewAuditEvent, recordHash: string | null = null): Promise<AuditEvent> {
  const head = await chainHeadForUpdate.takeFirstOrThrow(ctx, trx, {});
  const payload = canonicalJson(event.payload ?? null);
  const fields = {
    seq: head.last_seq + 1,
    id: randomUUID(),
    decisionId: event.decisionId ?? null,
    caseRef: event.caseRef ?? null,
    type: event.type,
    actor: event.actor,
    payloadHash: sha256Hex(payload),
    createdAt: toIso(ctx.now()),
    prevHash: head.last_hash,
    recordHash,
  };
  const row: AuditEventsTable = {
    seq: fields.seq,
    id: fields.id,
    decision_id: fields.decisionId,
    case_ref: fields.caseRef,
    type: fields.type,
    actor: fields.actor,
    payload,
    payload_hash: fields.payloadHash,
    created_at: fields.createdAt,
    prev_hash: fields.prevHash,
    hash: eventHash(fields),
    redacted_by_seq: null,
    record_hash: recordHash,
  };
  await auditInsert.execute(ctx, trx, row);
  await chainHeadUpdate.execute(ctx, trx, { lastSeq: row.seq, lastHash: row.hash });
  return toAuditEvent(row);
}

/**
 * Blanks the payloads (personal content) of earlier events for a case or for some decisions, keeping their
 * payload hashes, and points them at the tombstone that justifies it. Tombstones themselves are never blanked.
 */
export async function redactAuditPayloads(
  trx: Transaction<Database>,
  match: { caseRef: string } | { decisionIds: string[] },
  tombstoneSeq: number,
): Promise<number> {
  if ('decisionIds' in match && match.decisionIds.length === 0) return 0;
  const result = await trx
    .updateTable('audit_events')
    .set({ payload: null, redacted_by_seq: tombstoneSeq })
    .where((eb) => ('caseRef' in match ? sameCaseRef(eb, match.caseRef) : eb('decision_id', 'in', match.decisionIds)))
    .where('seq', '<', tombstoneSeq)
    .where('payload', 'is not', null)
    .where('type', 'not in', [...TOMBSTONE_TYPES])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listAuditEvents(db: Executor, filter: { decisionId?: string; caseRef?: string }): Promise<AuditEvent[]> {
  if (filter.decisionId === undefined && filter.caseRef === undefined) return [];
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(filter.decisionId === undefined ? [] : [eb('decision_id', '=', filter.decisionId)]),
        ...(filter.caseRef === undefined ? [] : [sameCaseRef(eb, filter.caseRef)]),
      ]),
    )
    .orderBy('seq')
    .execute();
  return rows.map(toAuditEvent);
}

/** Checks the whole chain in seq order and names the first broken link. */
export function verifyAuditChain(ctx: StoreContext): Promise<AuditVerification> {
  return inSnapshot(ctx.db, ctx.engine, async (trx) => {
    const head = await trx.selectFrom('audit_chain_head').selectAll().where('id', '=', CHAIN_HEAD_ID).executeTakeFirst();
    const tombstoneRows = await trx.selectFrom('audit_events').selectAll().where('type', 'in', [...TOMBSTONE_TYPES]).execute();
    const tombstones = new Map<number, Tombstone>();
    for (const row of tombstoneRows) {
      const t = tombstoneOf(toChainEvent(row));
      if (t !== null) tombstones.set(row.seq, t);
    }
    const verifier = new ChainVerifier(tombstones);
    let after = 0;
    for (;;) {
      const page = await trx.selectFrom('audit_events').selectAll().where('seq', '>', after).orderBy('seq').limit(VERIFY_PAGE_SIZE).execute();
      for (const row of page) {
        const broken = verifier.check(toChainEvent(row));
        if (broken !== null) return { ok: false, events: verifier.count, brokenAt: broken };
      }
      const last = page[page.length - 1];
      if (last === undefined) break;
      after = last.seq;
    }
    const broken = verifier.finish(head === undefined ? null : { seq: head.last_seq, hash: head.last_hash });
    return broken === null ? { ok: true, events: verifier.count } : { ok: false, events: verifier.count, brokenAt: broken };
  });
}
