/**
 * What the data commands (export, sar, erase, audit:verify, retention:purge) share: strict flag parsing
 * (node:util parseArgs), flag checks that name the flag, and opening the store from the environment.
 * Bad input is a UsageError: exit 2, the message on stderr, nothing on stdout (see exitCodes.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkCaseReference } from '../domain/caseReference';
import type { ChannelCheckStore } from '../domain/ports/store';
import { CLI_BUSY_BUDGET_MS } from '../store/busyRetry';
import { openStore, type StoreOptions } from '../store/openStore';
import { StoreConfigError, storeOptionsFromEnv } from '../store/storeConfig';
import { UsageError } from './exitCodes';

/** Nothing is held for the case reference asked about (sar, erase). */
export const EXIT_NOTHING_HELD = 3;

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly: unknown flags, missing values and positionals are usage errors naming the flag. */
export function parseFlags<O extends Options>(options: O, args: string[] = process.argv.slice(2)) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function requiredFlag(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} is required (${what})`);
  return value.trim();
}

export function oneOf<T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new UsageError(`--${flag} must be ${allowed.join(' or ')}, not "${value}"`);
  return value as T;
}

/** The --case flag, checked like the bot checks it (the configured pattern, else the default). */
export function caseRefFlag(value: string | undefined, pattern: RegExp | undefined): string {
  const check = checkCaseReference(requiredFlag(value, 'case', 'the case reference'), pattern);
  if (!check.ok) throw new UsageError(`--case ${check.message}`);
  return check.value;
}

/** London's offset from UTC at an instant, in milliseconds (0 in winter, one hour in summer). */
function londonOffsetMs(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** A YYYY-MM-DD flag → midnight at the start of that day in London (the councils' time), as an instant. */
export function londonDayFlag(value: string | undefined, flag: string): { day: string; start: Date; nextDayStart: Date } {
  const day = requiredFlag(value, flag, 'a date, YYYY-MM-DD');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const [year, month, date] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const utcMidnight = Date.UTC(year, month - 1, date);
  const check = new Date(utcMidnight);
  if (!m || Number.isNaN(utcMidnight) || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) {
    throw new UsageError(`--${flag} must be a real date, YYYY-MM-DD, not "${day}"`);
  }
  // UK clocks change at 01:00 UTC, never at midnight, so the offset at UTC midnight is the offset at local midnight.
  const start = (t: number) => new Date(t - londonOffsetMs(new Date(t)));
  return { day, start: start(utcMidnight), nextDayStart: start(Date.UTC(year, month - 1, date + 1)) };
}

/** Who ran the command, for the audit trail. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No user database entry (some containers): keep "unknown".
  }
  return `cli:${user}`;
}

/**
 * The store options from DATABASE_URL / CHANNELCHECK_SQLITE_PATH / CHANNELCHECK_CASE_REF_PATTERN. On SQLite a
 * command waits up to CLI_BUSY_BUDGET_MS for a write lock the bot holds (asynchronously, in short turns).
 */
export function storeOptions(): StoreOptions {
  try {
    const options = storeOptionsFromEnv();
    return options.engine === 'sqlite' ? { ...options, busy: { budgetMs: CLI_BUSY_BUDGET_MS } } : options;
  } catch (e) {
    if (e instanceof StoreConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Opens the store for one command and closes it afterwards. A SQLite file that does not exist is an
 * error, not a new empty database: a command pointed at the wrong file must not report "nothing held".
 */
export async function withStore<T>(options: StoreOptions, work: (store: ChannelCheckStore) => Promise<T>): Promise<T> {
  if (options.engine === 'sqlite' && !fs.existsSync(options.file)) {
    throw new UsageError(`CHANNELCHECK_SQLITE_PATH: no ChannelCheck database at ${options.file} (set CHANNELCHECK_SQLITE_PATH, or DATABASE_URL for PostgreSQL)`);
  }
  const store = await openStore(options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
