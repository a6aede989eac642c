/**
 * The store cannot do what was asked right now: another process holds the write lock for longer than the
 * caller may wait, the disk is full, the file is read-only, the database is unreachable. Nothing was written.
 * The bot answers with "nothing was recorded; try again", the background loops back off, /readyz says why.
 */
export const STORE_UNAVAILABLE_REASONS = ['busy', 'read_only', 'full', 'io', 'unreachable'] as const;
export type StoreUnavailableReason = (typeof STORE_UNAVAILABLE_REASONS)[number];

export const STORE_UNAVAILABLE_WORDS: Readonly<Record<StoreUnavailableReason, string>> = {
  busy: 'the store is busy (another process holds its write lock)',
  read_only: 'the store is read-only',
  full: 'the disk holding the store is full',
  io: 'the store could not be read or written (I/O error)',
  unreachable: 'the database cannot be reached',
};

export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: StoreUnavailableReason,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail === undefined ? STORE_UNAVAILABLE_WORDS[reason] : `${STORE_UNAVAILABLE_WORDS[reason]}: ${detail}`, options);
    this.name = 'StoreUnavailableError';
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
