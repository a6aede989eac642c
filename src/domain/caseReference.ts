/**
 * A case reference: the council's case number, never a name. The format is configurable per deployment
 * (CHANNELCHECK_CASE_REF_PATTERN); the default needs at least one digit, so a name cannot pass.
 * Case references have one canonical form, trimmed and upper case (" cr-40118 " is CR-40118): that is what is
 * stored, and what erasure, subject access and exports match on.
 */
export const DEFAULT_CASE_REF_PATTERN = '^(?=.*[0-9])[A-Za-z0-9][A-Za-z0-9/-]{2,31}$';
export const CASE_REF_MAX_LENGTH = 32;

export type CaseRefCheck = { ok: true; value: string } | { ok: false; message: string };

/** The canonical form of a case reference: trimmed, upper case. */
export function canonicalCaseRef(value: string): string {
  return value.trim().toUpperCase();
}

/** Checks a case reference as typed (the pattern may match it as typed or in canonical form) and returns its canonical form. */
export function checkCaseReference(input: unknown, pattern: RegExp = new RegExp(DEFAULT_CASE_REF_PATTERN)): CaseRefCheck {
  if (typeof input !== 'string') return { ok: false, message: 'must be text' };
  const typed = input.trim();
  if (typed.length === 0) return { ok: false, message: 'is empty' };
  if (typed.length > CASE_REF_MAX_LENGTH) return { ok: false, message: `must be at most ${CASE_REF_MAX_LENGTH} characters` };
  const value = canonicalCaseRef(typed);
  if (!matches(pattern, typed) && !matches(pattern, value)) {
    return { ok: false, message: "doesn't look like a case number (letters, digits, / or -, with at least one digit); never enter a name" };
  }
  return { ok: true, value };
}

/** RegExp.test without the lastIndex trap of a global or sticky pattern. */
function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}
