/** Small pieces of English that cards and messages share, so each reads the same everywhere. Pure. */

/** "1 minute", "15 minutes". */
export function minutesText(n: number): string {
  return `${n} minute${n === 1 ? '' : 's'}`;
}

/**
 * A sentence ending with someone's own words, quoted: `Declined by Sam: "Use Teams instead."`, with a full
 * stop after the quote only when their words do not already end a sentence (never `instead.".`); without
 * words, the sentence with its full stop. Their line breaks and runs of spaces read as one space.
 */
export function endingWithQuote(sentence: string, words: string | null | undefined): string {
  const quoted = (words ?? '').replace(/\s+/g, ' ').trim();
  if (quoted === '') return `${sentence}.`;
  return /[.!?…]$/.test(quoted) ? `${sentence}: "${quoted}"` : `${sentence}: "${quoted}".`;
}
