/**
 * A case reference: the council's case number, never a name. The format is configurable per deployment
 * (CHANNELCHECK_CASE_REF_PATTERN); the default needs at least one digit, so a name cannot pass.
 */
export const DEFAULT_CASE_REF_PATTERN = '^(?=.*[0-9])[A-Za-z0-9][A-Za-z0-9/-]{2,31}$';
export const CASE_REF_MAX_LENGTH = 32;

export type CaseRefCheck = { ok: true; value: string } | { ok: false; message: string };

export function checkCaseReference(input: unknown, pattern: RegExp = new RegExp(DEFAULT_CASE_REF_PATTERN)): CaseRefCheck {
  if (typeof input !== 'string') return { ok: false, message: 'must be text' };
  const value = input.trim();
  if (value.length === 0) return { ok: false, message: 'is empty' };
  if (value.length > CASE_REF_MAX_LENGTH) return { ok: false, message: `must be at most ${CASE_REF_MAX_LENGTH} characters` };
  if (!pattern.test(value)) {
    return { ok: false, message: "doesn't look like a case number (letters, digits, / or -, with at least one digit); never enter a name" };
  }
  return { ok: true, value };
}
