/**
 * A small time-limited cache in front of a Directory, so a burst of decisions does not ask Microsoft Graph
 * the same question again and again. Answers (including "no manager") are kept for `ttlMs`; failures are
 * never kept, so the next call asks again. Concurrent identical questions share one request (asked, and
 * logged, as the first of them).
 */
import type { Directory, DirectoryAsker, EscalationContacts, Person } from '../domain/ports/directory';

export interface CachedDirectoryOptions {
  ttlMs: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Upper bound on cached answers; the oldest are dropped first. */
  maxEntries?: number;
}

interface Entry {
  expires: number;
  value: Promise<unknown>;
}

export class CachedDirectory implements Directory {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly inner: Directory,
    options: CachedDirectoryOptions,
  ) {
    this.ttlMs = Math.max(0, options.ttlMs);
    this.now = options.now ?? (() => Date.now());
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  /** Forgets every cached answer. */
  clear(): void {
    this.entries.clear();
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs === 0) return load();
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    if (hit) this.entries.delete(key);
    let value: Promise<T>;
    try {
      value = load();
    } catch (e) {
      return Promise.reject(e);
    }
    const entry: Entry = { expires: now + this.ttlMs, value };
    this.entries.set(key, entry);
    // Failures are not cached: drop the entry (unless a newer one replaced it). The caller still sees the error.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  async managerOf(userAadId: string, asking?: DirectoryAsker): Promise<Person | null> {
    const p = await this.cached(`manager:${userAadId.toLowerCase()}`, () => this.inner.managerOf(userAadId, asking));
    return p ? { ...p } : null;
  }

  async reportsOf(managerAadId: string, asking?: DirectoryAsker): Promise<Person[]> {
    const list = await this.cached(`reports:${managerAadId.toLowerCase()}`, () => this.inner.reportsOf(managerAadId, asking));
    return list.map((p) => ({ ...p }));
  }

  async delegatesOf(managerAadId: string): Promise<Person[]> {
    const list = await this.cached(`delegates:${managerAadId.toLowerCase()}`, () => this.inner.delegatesOf(managerAadId));
    return list.map((p) => ({ ...p }));
  }

  async escalationContactsFor(userAadId: string): Promise<EscalationContacts> {
    const c = await this.cached(`contacts:${userAadId.toLowerCase()}`, () => this.inner.escalationContactsFor(userAadId));
    return { headOfService: c.headOfService ? { ...c.headOfService } : null };
  }
}
