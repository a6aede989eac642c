/**
 * One bot per SQLite file. Two bots on one file would each claim the other's outbox rows and timers (SQLite
 * has no leases across processes that survive a crash cleanly), so the bot takes a lock beside the file
 * before it opens the store, and a second bot refuses to start, naming the holder.
 *
 * The lock is the operating system's, not a file's contents: `<file>.bot-lock.db` is a small SQLite database
 * that the holder opens with `PRAGMA locking_mode = EXCLUSIVE` and writes to, so SQLite keeps its exclusive
 * file lock for as long as the connection is open. The kernel drops that lock when the process ends however
 * it ends (a crash, SIGKILL), so a dead holder never blocks a start, whatever its pid or host name, and two
 * bots starting at once cannot both win: the kernel gives the lock to one. `<file>.bot-lock` beside it
 * names the holder (pid, host, start time) for the refusal message; it is never trusted for the decision.
 * The file is named by its real path, so a symbolic link to the same database finds the same lock.
 *
 * The data commands (export, sar, erase, audit:verify, retention:purge) do not take it: they may run beside
 * the bot, in short transactions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export class StoreInUseError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `another ChannelCheck bot is using ${file}: process ${holder.pid} on ${holder.host}, started ${holder.startedAt}. ` +
        'Stop it first (only one bot process may use a SQLite file; use PostgreSQL, DATABASE_URL, for several replicas).',
    );
    this.name = 'StoreInUseError';
  }
}

export interface BotLock {
  readonly path: string;
  release(): void;
}

/** The real path of the database file (symbolic links resolved), whether or not the file exists yet. */
function realPathOf(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    return path.join(fs.realpathSync(path.dirname(absolute)), path.basename(absolute));
  }
}

/** The file that names the holder. */
export function lockPathFor(file: string): string {
  return `${realPathOf(file)}.bot-lock`;
}

/** The database whose exclusive lock is the bot lock. */
function lockDatabaseFor(file: string): string {
  return `${realPathOf(file)}.bot-lock.db`;
}

function readHolder(holderPath: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(holderPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? 'at an unknown time') };
  } catch {
    return null;
  }
}

/** Written to a temporary file and renamed over the old one: a reader sees the old holder or the new, whole. */
function writeHolder(holderPath: string, holder: LockHolder): void {
  const temporary = `${holderPath}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  fs.renameSync(temporary, holderPath);
}

const isBusy = (error: unknown) => typeof (error as { code?: unknown }).code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test((error as { code: string }).code);

/**
 * Takes the bot lock for `file`, or throws StoreInUseError naming the holder. `onTakeover` hears about a
 * holder named beside the file that did not release the lock (it crashed): log it.
 */
export function acquireBotLock(file: string, onTakeover: (previous: LockHolder | null, why: string) => void = () => undefined, now: () => number = Date.now): BotLock {
  const holderPath = lockPathFor(file);
  const database = new Database(lockDatabaseFor(file), { timeout: 0 });
  try {
    database.pragma('locking_mode = EXCLUSIVE');
    // The first write takes SQLite's exclusive lock; in EXCLUSIVE mode it is kept until the connection closes.
    database.exec('create table if not exists holder (pid integer, host text, started_at text); begin exclusive; delete from holder; commit');
  } catch (error) {
    database.close();
    if (!isBusy(error)) throw error;
    throw new StoreInUseError(file, readHolder(holderPath) ?? { pid: -1, host: 'an unknown host', startedAt: 'at an unknown time' });
  }
  const previous = readHolder(holderPath);
  if (previous !== null) onTakeover(previous, `process ${previous.pid} on ${previous.host} ended without releasing the lock`);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date(now()).toISOString() };
  try {
    database.prepare('insert into holder (pid, host, started_at) values (?, ?, ?)').run(mine.pid, mine.host, mine.startedAt);
    writeHolder(holderPath, mine);
  } catch (error) {
    database.close();
    throw error;
  }
  return holdLock(holderPath, database, mine);
}

function holdLock(holderPath: string, database: Database.Database, mine: LockHolder): BotLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only while still holding the lock: nobody else can have written the holder file meanwhile.
    const holder = readHolder(holderPath);
    if (holder !== null && holder.pid === mine.pid && holder.host === mine.host && holder.startedAt === mine.startedAt) fs.rmSync(holderPath, { force: true });
    database.close();
  };
  process.once('exit', release);
  return {
    path: holderPath,
    release: () => {
      process.removeListener('exit', release);
      release();
    },
  };
}
