/**
 * What this process last wrote (or found already stored) as each user's conversation reference, on SQLite
 * (one bot process per file; on PostgreSQL another replica may have stored a later reference, so it is not used). Every turn
 * of a personal chat saves the same reference again; the upsert then changes nothing but still costs a
 * query built and run per turn. The memo lets an identical save skip the database: the same user, the same
 * tenant and byte for byte the same canonical reference text, written by this process at most
 * MEMO_TTL_MS ago. Anything else (a changed reference or tenant, a user not seen, a restart, an entry past
 * its time, so that a write by another replica is put right within that time) goes to the database, which
 * stays the source of truth. Bounded: the least recently seen users are forgotten first.
 */
import { LruMap } from '../domain/lruMap';

export const MEMO_MAX_USERS = 10_000;
export const MEMO_TTL_MS = 10 * 60 * 1000;

interface Stored {
  tenantId: string;
  text: string;
  at: number;
}

export class ConversationReferenceMemo {
  private readonly stored = new LruMap<string, Stored>(MEMO_MAX_USERS);
  /** For each user with a write under way: how many are, and whether two were ever at once. */
  private readonly writing = new Map<string, { underWay: number; overlapped: boolean }>();

  /** True when exactly this row was stored by this process within MEMO_TTL_MS of `now`. */
  isStored(userAadId: string, tenantId: string, text: string, now: Date): boolean {
    const s = this.stored.get(userAadId);
    if (s === undefined) return false;
    const age = now.getTime() - s.at;
    return s.tenantId === tenantId && s.text === text && age >= 0 && age < MEMO_TTL_MS;
  }

  /** Before a write: until it is known to be in, the user's row is not known. */
  beginWrite(userAadId: string): void {
    this.stored.delete(userAadId);
    const w = this.writing.get(userAadId);
    if (w === undefined) this.writing.set(userAadId, { underWay: 1, overlapped: false });
    else this.writing.set(userAadId, { underWay: w.underWay + 1, overlapped: true });
  }

  /**
   * After the write (`row` null: it failed): remember the row if it was stored and no other write for the
   * user was under way at any time meanwhile (saves that overlap may land in either order, so none is).
   */
  endWrite(userAadId: string, row: { tenantId: string; text: string; now: Date } | null): void {
    const w = this.writing.get(userAadId);
    if (w === undefined) return;
    w.underWay -= 1;
    if (w.underWay > 0) return;
    this.writing.delete(userAadId);
    if (row !== null && !w.overlapped) this.stored.set(userAadId, { tenantId: row.tenantId, text: row.text, at: row.now.getTime() });
  }
}
