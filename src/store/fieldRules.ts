/**
 * What the store accepts in its free-text and identifier fields. Checked before anything is written, so a
 * bad value never gets halfway into a transaction.
 */
import { checkCaseReference, DEFAULT_CASE_REF_PATTERN as DEFAULT_CASE_REF_PATTERN_SOURCE } from '../domain/caseReference';
import { StoreValidationError } from './storeErrors';

/** The default case-reference rule (domain/caseReference.ts): letters, digits, / and -, with a digit. */
export const DEFAULT_CASE_REF_PATTERN = new RegExp(DEFAULT_CASE_REF_PATTERN_SOURCE);
export const MAX_COMMENT_LENGTH = 1000;
export const MAX_DISPLAY_NAME_LENGTH = 200;
/** Teams conversation and channel ids run to a few hundred characters. */
export const MAX_ID_LENGTH = 512;
export const MAX_ERROR_LENGTH = 2000;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const ANY_LINE_BREAK_OR_CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** Counts characters as people do (code points), not UTF-16 units. */
function lengthOf(text: string): number {
  return Array.from(text).length;
}

/** A case reference identifies a case in the council's system and nothing else: never a name. */
export function checkCaseRef(caseRef: unknown, pattern: RegExp = DEFAULT_CASE_REF_PATTERN, field = 'caseRef'): string {
  const check = checkCaseReference(caseRef, pattern);
  if (!check.ok) throw new StoreValidationError(field, check.message);
  return check.value;
}

export function checkDisplayName(name: unknown, field = 'practitioner.displayName'): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw new StoreValidationError(field, 'is required');
  if (lengthOf(name) > MAX_DISPLAY_NAME_LENGTH) throw new StoreValidationError(field, `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`);
  if (ANY_LINE_BREAK_OR_CONTROL.test(name)) throw new StoreValidationError(field, 'must be one line without control characters');
  return name.trim();
}

/** Comments may have line breaks, not other control characters. Empty or absent becomes null. */
export function checkComment(comment: unknown, field = 'comment'): string | null {
  if (comment === undefined || comment === null) return null;
  if (typeof comment !== 'string') throw new StoreValidationError(field, 'must be text');
  const trimmed = comment.trim();
  if (trimmed.length === 0) return null;
  if (lengthOf(trimmed) > MAX_COMMENT_LENGTH) throw new StoreValidationError(field, `must be at most ${MAX_COMMENT_LENGTH} characters (got ${lengthOf(trimmed)})`);
  if (CONTROL_CHARS.test(trimmed)) throw new StoreValidationError(field, 'must not contain control characters');
  return trimmed;
}

/** Ids, keys and kinds: non-empty, one line, bounded. */
export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new StoreValidationError(field, 'is required');
  if (value.length > MAX_ID_LENGTH) throw new StoreValidationError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (ANY_LINE_BREAK_OR_CONTROL.test(value)) throw new StoreValidationError(field, 'must not contain line breaks or control characters');
  return value;
}

export function checkLimit(limit: unknown, field = 'limit', max = 1000): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new StoreValidationError(field, `must be a whole number from 1 to ${max}`);
  }
  return limit;
}

export function checkDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new StoreValidationError(field, 'must be a valid date');
  return value;
}

export function checkLeaseMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new StoreValidationError('leaseMs', 'must be a positive whole number of milliseconds');
  return value;
}

export function checkVersion(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new StoreValidationError(field, 'must be a whole number from 1');
  return value;
}

/** Error text from a failed send, kept short enough to store. */
export function clipError(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}
