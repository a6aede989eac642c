/** SQLite's "cannot do this now" result codes in the store's terms (StoreUnavailableError and its reasons). */
import { StoreUnavailableError } from '../domain/ports/storeUnavailable';

/** How long SQLite itself may block the event loop waiting for a lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 20;

/** SQLite's result codes that mean "not now" or "not here", as StoreUnavailableError reasons. */
export function sqliteUnavailable(error: unknown): StoreUnavailableError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const detail = (error as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreUnavailableError('busy', detail, { cause: error });
  if (code.startsWith('SQLITE_READONLY')) return new StoreUnavailableError('read_only', detail, { cause: error });
  if (code === 'SQLITE_FULL') return new StoreUnavailableError('full', detail, { cause: error });
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PROTOCOL') return new StoreUnavailableError('io', detail, { cause: error });
  return null;
}

/** A better-sqlite3 error as StoreUnavailableError where it is one; anything else as it is. */
export function inStoreTerms(error: unknown): unknown {
  return error instanceof StoreUnavailableError ? error : (sqliteUnavailable(error) ?? error);
}
