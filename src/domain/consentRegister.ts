/** The consent register of one case in words: for the outcome card, the wizard and the case note. */
import { describeConsentEntry, formatLondonTime } from './caseNote';
import type { ConsentEntry } from './ports/store';

/** The entry that stands now (the latest), or null. */
export function standingConsent(register: readonly ConsentEntry[]): ConsentEntry | null {
  return register.at(-1) ?? null;
}

/** One line on where consent stands, for the wizard's consent question and the outcome card. */
export function consentStandingText(register: readonly ConsentEntry[]): string | null {
  const now = standingConsent(register);
  if (!now) return null;
  if (now.status === 'withdrawn') {
    const given = [...register].reverse().find((e) => e.status === 'given');
    return `Consent register: ${describeConsentEntry(now)}${given ? `; it had been given ${formatLondonTime(given.recordedAt)}` : ''}. Without fresh consent the answer is no WhatsApp.`;
  }
  return `Consent register: ${describeConsentEntry(now)}. It has not been withdrawn.`;
}
