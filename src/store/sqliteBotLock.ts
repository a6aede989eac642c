/**
 * One bot per SQLite file. Two bots on one file would each claim the other's outbox rows and timers (SQLite
 * has no leases across processes that survive a crash cleanly), so the bot takes `<file>.bot-lock` before it
 * opens the store: created with O_EXCL, holding the holder's pid, host and start time, and touched every
 * HEARTBEAT_MS while it runs. A second bot finds it and refuses to start, naming the holder.
 *
 * A crashed holder never blocks for ever: the lock is stale, and taken over, when its process is gone (same
 * host, pid not running) or when it has not been touched for STALE_AFTER_MS (another host, or a pid reused
 * by an unrelated process). The data commands (export, sar, erase, audit:verify, retention:purge) do not
 * take it: they may run beside the bot, in short transactions.
 */
import fs from 'node:fs';
import os from 'node:os';

export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 60_000;

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

export function lockPathFor(file: string): string {
  return `${file}.bot-lock`;
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? 'at an unknown time') };
  } catch {
    return null;
  }
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock file can be taken over, or null when its holder looks alive. */
function staleness(lockPath: string, holder: LockHolder | null, nowMs: number): string | null {
  if (holder === null) return 'unreadable';
  if (holder.host === os.hostname() && !processIsRunning(holder.pid)) return `process ${holder.pid} is not running`;
  try {
    const age = nowMs - fs.statSync(lockPath).mtimeMs;
    if (age > STALE_AFTER_MS) return `not touched for ${Math.round(age / 1000)} s`;
  } catch {
    return 'gone';
  }
  return null;
}

/**
 * Takes the bot lock for `file`, or throws StoreInUseError naming the holder. `onTakeover` hears about a
 * stale lock that was replaced (log it).
 */
export function acquireBotLock(file: string, onTakeover: (previous: LockHolder | null, why: string) => void = () => undefined, now: () => number = Date.now): BotLock {
  const lockPath = lockPathFor(file);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date(now()).toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
      fs.writeSync(fd, `${JSON.stringify(mine)}\n`);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      return holdLock(lockPath, mine);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(lockPath);
    const why = staleness(lockPath, holder, now());
    if (why === null && holder !== null) throw new StoreInUseError(file, holder);
    onTakeover(holder, why ?? 'stale');
    fs.rmSync(lockPath, { force: true });
  }
  const holder = readHolder(lockPath);
  throw new StoreInUseError(file, holder ?? { pid: -1, host: 'unknown', startedAt: 'unknown' });
}

function holdLock(lockPath: string, mine: LockHolder): BotLock {
  const beat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(lockPath, now, now);
    } catch {
      // Removed under us: the next start will sort it out; nothing to do while running.
    }
  }, HEARTBEAT_MS);
  beat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(beat);
    const holder = readHolder(lockPath);
    if (holder !== null && holder.pid === mine.pid && holder.host === mine.host && holder.startedAt === mine.startedAt) fs.rmSync(lockPath, { force: true });
  };
  process.once('exit', release);
  return {
    path: lockPath,
    release: () => {
      process.removeListener('exit', release);
      release();
    },
  };
}
