/**
 * Record seals, pure: what ties a stored record to the audit event that created or settled it.
 *
 * A seal is `v1:<kept hash>:<content hash>`:
 * - the kept hash covers what a record keeps for ever (ids, outcome, pack hashes, practitioner id, case
 *   reference, status, who settled it and when);
 * - the content hash covers its personal content (facts, decision text, practitioner name, comment), which
 *   erasure and retention may legitimately remove.
 * The seal is stored among the event's hashed fields (hashChain.ts), so neither the row nor the seal can be
 * changed without `audit:verify` noticing. An erased record is checked on its kept hash alone.
 */
import { canonicalJson, sha256Hex } from './hashChain';

export const SEAL_VERSION = 'v1';

export interface SealParts {
  /** What the record keeps after erasure. */
  kept: Record<string, unknown>;
  /** Its personal content (null members when erased). */
  content: Record<string, unknown>;
}

export function sealOf(parts: SealParts): string {
  return `${SEAL_VERSION}:${sha256Hex(canonicalJson(parts.kept))}:${sha256Hex(canonicalJson(parts.content))}`;
}

export type SealCheck = 'ok' | 'kept_changed' | 'content_changed' | 'malformed';

/** Checks a stored record against its seal; `erased` records are checked on what they keep. */
export function checkSeal(seal: string, parts: SealParts, erased: boolean): SealCheck {
  const [version, kept, content] = seal.split(':');
  if (version !== SEAL_VERSION || kept === undefined || content === undefined) return 'malformed';
  if (sha256Hex(canonicalJson(parts.kept)) !== kept) return 'kept_changed';
  if (!erased && sha256Hex(canonicalJson(parts.content)) !== content) return 'content_changed';
  return 'ok';
}
