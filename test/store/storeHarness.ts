/** What the contract suite needs from an engine: fresh databases, stores on them, and raw access to tamper. */
import type { Kysely } from 'kysely';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import type { Database } from '../../src/store/schema';

export interface TestDatabase {
  /** A new store (a new connection/pool) on this database; runs migrations like a real start. */
  open(options?: { now?: () => Date; caseRefPattern?: RegExp }): Promise<ChannelCheckStore>;
  /**
   * Two stores acting as two bot replicas on this database. PostgreSQL: two pools. SQLite: one process
   * shares one connection (two connections in one process would block each other's event loop), so both
   * are the same store and concurrency is between async callers; the multi-process test covers two writers.
   */
  openReplicas(options?: { now?: () => Date }): Promise<[ChannelCheckStore, ChannelCheckStore]>;
  /** Direct table access, for tampering and for checking what is really stored. */
  raw(): Kysely<Database>;
  /**
   * Another session takes the store's write lock (SQLite: another connection in BEGIN IMMEDIATE; PostgreSQL:
   * a transaction holding an exclusive lock on the heartbeat table) until the returned function is called.
   */
  holdWriteLock(): Promise<() => Promise<void>>;
  /**
   * The stores opened on this database can no longer write: `full` (SQLite: `PRAGMA max_page_count` capped at
   * the file's size, so anything that needs a new page fails with SQLITE_FULL; PostgreSQL: every write fails
   * with 53100 disk_full) or `read_only` (SQLite: `PRAGMA query_only`, SQLITE_READONLY; PostgreSQL: 25006
   * read_only_sql_transaction). Reads still work. `allowWrites` undoes it.
   */
  refuseWrites(reason: 'full' | 'read_only'): Promise<void>;
  allowWrites(): Promise<void>;
  /** Makes every insert into the outbox fail inside the database (a crash at that point of a transaction). */
  failOutboxInserts(): Promise<void>;
  drop(): Promise<void>;
}

export interface StoreHarness {
  engine: 'sqlite' | 'postgres';
  newDatabase(): Promise<TestDatabase>;
}

/** A clock tests can move. */
export class TestClock {
  constructor(private current = new Date('2026-03-03T10:00:00.000Z')) {}
  readonly now = (): Date => new Date(this.current.getTime());
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
