/**
 * Group commit on SQLite's one writing connection: the transactions that reach it in one turn of the event
 * loop share one COMMIT, so they share one fsync.
 *
 * better-sqlite3 is synchronous and the store runs with synchronous=FULL, so every COMMIT waits for the disk
 * on the event loop, and a wizard check commits several times. Here a logical transaction (what the store
 * calls a transaction) is a SAVEPOINT inside one real `BEGIN IMMEDIATE` transaction, the group:
 *
 * - begin: if no group is open, BEGIN IMMEDIATE (waiting for another process's lock as before, with the busy
 *   budget); then `SAVEPOINT logical_transaction`.
 * - commit: `RELEASE logical_transaction`, then the writer is handed to the next in line, and the caller waits
 *   for the group's COMMIT. That COMMIT is queued for the writer once per turn (setImmediate after the first
 *   member's release), so the transactions already waiting for the writer join the group and later ones
 *   wait for the next group.
 * - rollback: `ROLLBACK TO` and `RELEASE` the savepoint: only that logical transaction is undone (a group with
 *   no other member is rolled back whole, so the lock is not held for nothing).
 *
 * Durability is unchanged: synchronous stays FULL, and a member's commit resolves only after the real COMMIT
 * succeeded, so an answer or acknowledgement still follows durable data. If the COMMIT fails, or SQLite ends
 * the whole transaction on its own (after SQLITE_FULL or an I/O error it may), every member of the group
 * rejects with that error and none of them is kept: as before, a failed transaction left nothing behind.
 * Members are serialised by the writer lock, so a group is never visible half-way to its own members'
 * reads; reads outside a transaction go to a second, read-only connection that sees only committed data
 * (sqliteDialect.ts).
 *
 * A transaction begun `alone` (inTransactionAlone in storeContext.ts) shares nothing: the group open before it
 * is committed first, and its own real transaction is committed as soon as it finishes. It is for work that
 * may make SQLite end the whole transaction (the readiness probe's deliberately large write, which fails
 * with SQLITE_FULL when the file cannot grow), so that it never takes other transactions down with it.
 *
 * With `grouped` false (a `:memory:` database, which has no fsync to save and only one connection, so a read
 * outside a transaction would see an open group) each logical transaction is committed at once.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** The writing connection, one user at a time, first come first served. */
export class WriterLock {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  async acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the writer to the next in line (it stays held), or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/** One real transaction and the logical transactions released into it, waiting for its COMMIT. */
class Group {
  constructor(readonly alone: boolean) {}

  private readonly waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  commitQueued = false;
  settled = false;
  failure: unknown = undefined;

  get members(): number {
    return this.waiting.length;
  }

  join(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Committed (no error) or lost (the error every member gets). */
  settle(error?: unknown): void {
    this.settled = true;
    this.failure = error;
    for (const member of this.waiting.splice(0)) {
      if (error === undefined) member.resolve();
      else member.reject(error);
    }
  }
}

function lostError(group: Group): unknown {
  return group.failure ?? new Error('this transaction\'s group has already ended');
}

/** A logical transaction open on the writer. */
export interface Member {
  readonly group: Group;
}

/**
 * Runs one transaction-control statement on the writer, errors already in the store's terms. With
 * `busySince`, a SQLITE_BUSY is waited out (asynchronously) within the busy budget counted from then.
 */
export type RunControl = (sql: string, busySince?: number) => Promise<void>;

const SAVEPOINT = 'logical_transaction';

/** The end of this turn of the event loop (taken at load, so a test's fake timers cannot stop commits). */
const afterThisTurn = setImmediate;

export class GroupCommit {
  private open: Group | null = null;

  constructor(
    private readonly database: BetterSqlite3.Database,
    readonly lock: WriterLock,
    private readonly control: RunControl,
    private readonly grouped: boolean,
  ) {}

  /** Starts a logical transaction. The caller holds the writer lock (and keeps it until commit or rollback). */
  async begin(askedAt: number, alone = false): Promise<Member> {
    if (this.open !== null && !this.database.inTransaction) await this.fail(this.open, new Error('the transaction of this group ended unexpectedly'));
    // Alone: what this turn has committed so far becomes durable first, and nobody joins this one.
    if (alone && this.open !== null) await this.commitHeld(this.open);
    if (this.open === null) {
      await this.control('begin immediate', askedAt);
      this.open = new Group(alone);
    }
    const group = this.open;
    try {
      await this.control(`savepoint ${SAVEPOINT}`);
    } catch (error) {
      await this.fail(group, error);
      throw error;
    }
    return { group };
  }

  /**
   * Runs one of the member's statements (the caller holds the lock). A member whose group is already lost
   * runs nothing more; a statement after which SQLite has ended the whole transaction loses the group.
   */
  async statement<T>(member: Member, run: () => Promise<T>): Promise<T> {
    if (member.group.settled) throw lostError(member.group);
    try {
      return await run();
    } catch (error) {
      if (!this.database.inTransaction) await this.fail(member.group, error);
      throw error;
    }
  }

  /** Releases the member's savepoint, hands the writer lock on, and resolves once the group is committed. */
  async commit(member: Member): Promise<void> {
    const { group } = member;
    let durable: Promise<void>;
    try {
      if (group.settled) throw lostError(group);
      try {
        await this.control(`release ${SAVEPOINT}`);
      } catch (error) {
        await this.fail(group, error);
        throw error;
      }
      durable = group.join();
      durable.catch(() => undefined); // awaited below, once the lock is handed on
      if (!this.grouped || group.alone) await this.commitHeld(group);
      else if (!group.commitQueued) {
        group.commitQueued = true;
        afterThisTurn(() => void this.commitQueuedGroup(group));
      }
    } finally {
      this.lock.release();
    }
    await durable;
  }

  /** Undoes the member's work only (the caller holds the lock and releases it). */
  async rollback(member: Member): Promise<void> {
    const { group } = member;
    if (group.settled) return; // SQLite already rolled the whole group back: nothing of it is left
    try {
      if (group.members === 0) {
        this.open = null;
        await this.control('rollback');
        group.settle();
      } else {
        await this.control(`rollback to ${SAVEPOINT}`);
        await this.control(`release ${SAVEPOINT}`);
      }
    } catch (error) {
      await this.fail(group, error);
    }
  }

  /** Commits the open group now, if there is one (before the connection closes). */
  async flush(): Promise<void> {
    if (this.open === null) return;
    await this.lock.acquire();
    try {
      if (this.open !== null) await this.commitHeld(this.open);
    } finally {
      this.lock.release();
    }
  }

  private async commitQueuedGroup(group: Group): Promise<void> {
    await this.lock.acquire();
    try {
      await this.commitHeld(group);
    } finally {
      this.lock.release();
    }
  }

  /** The real COMMIT of `group` (the caller holds the lock); never throws: the members get the outcome. */
  private async commitHeld(group: Group): Promise<void> {
    if (group.settled) return;
    try {
      await this.control('commit');
    } catch (error) {
      await this.fail(group, error);
      return;
    }
    if (this.open === group) this.open = null;
    group.settle();
  }

  /** Loses the whole group: rolled back if SQLite has not done so already, and every member rejects. */
  private async fail(group: Group, error: unknown): Promise<void> {
    if (group.settled) return;
    if (this.open === group) this.open = null;
    if (this.database.inTransaction) await this.control('rollback').catch(() => undefined);
    group.settle(error);
  }
}
