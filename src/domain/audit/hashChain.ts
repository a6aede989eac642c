/**
 * The audit trail's hash chain, pure: no database.
 *
 * Each event stores its payload (canonical JSON text) and, separately, `payloadHash` = sha256(payload text).
 * The event's own `hash` covers its fields, `payloadHash` and the previous event's hash, not the payload
 * itself. So erasure and retention can blank a payload (personal content) and keep its hash: the chain still
 * verifies, and `redactedBySeq` must point at a later tombstone event that justifies the blank.
 * An event that settles a record (a decision, an approval's settlement, an acknowledgement) also carries that
 * record's seal (`recordHash`, see recordSeals.ts) among its hashed fields, so the record's row can be checked
 * against the chain. Events without one hash exactly as before the seal existed.
 */
import { createHash } from 'node:crypto';
import { canonicalCaseRef } from '../caseReference';

export const GENESIS_HASH = '0'.repeat(64);
export const CHAIN_FORMAT_VERSION = 1;
export const TOMBSTONE_TYPES = ['case.erased', 'retention.purged'] as const;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * JSON with object keys sorted at every depth and no insignificant whitespace, so the same value always
 * gives the same text. Dates become ISO strings; undefined object members are dropped (as JSON.stringify does).
 * Throws on values JSON cannot represent (bigint, functions, cycles, non-finite numbers).
 * It runs on every stored JSON column and audit event, so it builds one string in place: no array of parts
 * per level, and the path of open containers (for cycles) is a short stack rather than a set.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, []);
}

function serialise(value: unknown, open: object[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not representable in JSON`);
      // String(n) is JSON's number text for every finite n (-0 gives "0", 1e21 gives "1e+21").
      return String(value);
    case 'object': {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (open.includes(value)) throw new TypeError('canonicalJson: the value contains a cycle');
      open.push(value);
      const text = Array.isArray(value) ? arrayText(value, open) : objectText(value as Record<string, unknown>, open);
      open.pop();
      return text;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not representable in JSON`);
  }
}

function arrayText(items: readonly unknown[], open: object[]): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    const item = items[i];
    // A hole in a sparse array is written as nothing, as Array.prototype.join always wrote it here.
    text += item !== undefined ? serialise(item, open) : i in items ? 'null' : '';
  }
  return text + ']';
}

function objectText(object: Record<string, unknown>, open: object[]): string {
  const keys = Object.keys(object).sort();
  let text = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += JSON.stringify(key) + ':' + serialise(member, open);
  }
  return text + '}';
}

/** The fields an event's hash covers. `createdAt` is the stored ISO-8601 text. */
export interface ChainedFields {
  seq: number;
  id: string;
  decisionId: string | null;
  caseRef: string | null;
  type: string;
  actor: string;
  payloadHash: string;
  createdAt: string;
  prevHash: string;
  /** The seal of the record this event settles; null (not hashed at all) for other events. */
  recordHash?: string | null;
}

export function eventHash(f: ChainedFields): string {
  return sha256Hex(
    canonicalJson({
      v: CHAIN_FORMAT_VERSION,
      seq: f.seq,
      id: f.id,
      decisionId: f.decisionId,
      caseRef: f.caseRef,
      type: f.type,
      actor: f.actor,
      payloadHash: f.payloadHash,
      createdAt: f.createdAt,
      prevHash: f.prevHash,
      recordHash: f.recordHash ?? undefined,
    }),
  );
}

/** An event as stored: the chained fields plus the payload text (null when redacted) and the hash. */
export interface StoredChainEvent extends ChainedFields {
  payloadText: string | null;
  hash: string;
  redactedBySeq: number | null;
}

/** What a tombstone event allows to be blanked. */
export type Tombstone =
  | { type: 'case.erased'; caseRef: string | null; decisionIds?: ReadonlySet<string> }
  | { type: 'retention.purged'; decisionIds: ReadonlySet<string> };

function decisionIdsOf(payloadText: string | null): Set<string> | null {
  if (payloadText === null) return new Set();
  try {
    const payload = JSON.parse(payloadText) as { decisionIds?: unknown };
    return new Set(Array.isArray(payload.decisionIds) ? payload.decisionIds.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return null;
  }
}

/** Reads a tombstone from its stored event; null for other events or a payload that is not a valid tombstone. */
export function tombstoneOf(event: Pick<StoredChainEvent, 'type' | 'caseRef' | 'payloadText'>): Tombstone | null {
  if (event.type === 'case.erased') return { type: 'case.erased', caseRef: event.caseRef, decisionIds: decisionIdsOf(event.payloadText) ?? new Set() };
  if (event.type !== 'retention.purged' || event.payloadText === null) return null;
  const ids = decisionIdsOf(event.payloadText);
  return ids === null ? null : { type: 'retention.purged', decisionIds: ids };
}

export interface BrokenLink {
  seq: number;
  reason: string;
}

/**
 * Checks events one at a time, in seq order, so a long chain can be read in pages.
 * `tombstones` maps the seq of every tombstone event to what it allows to be blanked.
 */
export class ChainVerifier {
  private last: { seq: number; hash: string } | null = null;
  private checked = 0;

  constructor(private readonly tombstones: ReadonlyMap<number, Tombstone>) {}

  get count(): number {
    return this.checked;
  }

  check(e: StoredChainEvent): BrokenLink | null {
    const expectedSeq = (this.last?.seq ?? 0) + 1;
    if (e.seq !== expectedSeq) {
      return e.seq > expectedSeq
        ? { seq: expectedSeq, reason: `event ${expectedSeq} is missing (the next stored event is ${e.seq})` }
        : { seq: e.seq, reason: `event out of order: expected seq ${expectedSeq}` };
    }
    const expectedPrev = this.last?.hash ?? GENESIS_HASH;
    if (e.prevHash !== expectedPrev) {
      return { seq: e.seq, reason: `prev_hash does not match the hash of event ${expectedSeq - 1}` };
    }
    if (eventHash(e) !== e.hash) {
      return { seq: e.seq, reason: 'hash does not match the event\'s contents (an event field was changed)' };
    }
    if (e.payloadText !== null) {
      if (sha256Hex(e.payloadText) !== e.payloadHash) return { seq: e.seq, reason: 'payload does not match its payload_hash (the payload was changed)' };
    } else {
      const reason = this.unjustifiedRedaction(e);
      if (reason !== null) return { seq: e.seq, reason };
    }
    this.last = { seq: e.seq, hash: e.hash };
    this.checked += 1;
    return null;
  }

  /** After the last event: the chain head (kept in its own row) must point at it, so a cut-off tail shows. */
  finish(head: { seq: number; hash: string } | null): BrokenLink | null {
    const lastSeq = this.last?.seq ?? 0;
    if (head === null && lastSeq > 0) return { seq: 1, reason: 'the chain head row is missing' };
    const headSeq = head?.seq ?? 0;
    if (headSeq > lastSeq) return { seq: lastSeq + 1, reason: `event ${lastSeq + 1} is missing: the chain head records ${headSeq} events` };
    if (headSeq < lastSeq) return { seq: headSeq + 1, reason: `event ${headSeq + 1} is not recorded in the chain head (which stops at ${headSeq})` };
    if (head !== null && this.last !== null && head.hash !== this.last.hash) {
      return { seq: lastSeq, reason: 'the chain head\'s hash does not match the last event' };
    }
    return null;
  }

  private unjustifiedRedaction(e: StoredChainEvent): string | null {
    const missing = 'payload removed without an erasure or retention tombstone';
    if (e.redactedBySeq === null || e.redactedBySeq <= e.seq) return missing;
    const t = this.tombstones.get(e.redactedBySeq);
    if (t === undefined) return `${missing} (event ${e.redactedBySeq} is not a tombstone)`;
    // Case references are compared in canonical form: events chained before it existed keep the form typed then.
    if (t.type === 'case.erased' && t.caseRef !== null && e.caseRef !== null && canonicalCaseRef(t.caseRef) === canonicalCaseRef(e.caseRef)) return null;
    if (t.type === 'retention.purged' && e.decisionId !== null && t.decisionIds.has(e.decisionId)) return null;
    return `${missing} (tombstone ${e.redactedBySeq} does not cover this event)`;
  }
}
