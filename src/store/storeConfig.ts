/**
 * Which database, from the environment:
 * - DATABASE_URL set: PostgreSQL (several replicas may share it).
 * - otherwise SQLite at CHANNELCHECK_SQLITE_PATH, default data/channelcheck.db (relative to the working
 *   folder, as in src/config.ts).
 * - CHANNELCHECK_CASE_REF_PATTERN: a regular expression a case reference must match
 *   (default in src/domain/caseReference.ts).
 * The bot reads the same variables through src/config.ts; the data commands use this, which needs no
 * bot settings.
 */
import path from 'node:path';
import { DEFAULT_CASE_REF_PATTERN } from './fieldRules';
import type { StoreOptions } from './openStore';

export const DEFAULT_SQLITE_PATH = path.join('data', 'channelcheck.db');

export class StoreConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'StoreConfigError';
  }
}

export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StoreOptions {
  let caseRefPattern = DEFAULT_CASE_REF_PATTERN;
  const pattern = env.CHANNELCHECK_CASE_REF_PATTERN;
  if (pattern !== undefined && pattern !== '') {
    try {
      caseRefPattern = new RegExp(pattern);
    } catch (e) {
      throw new StoreConfigError('CHANNELCHECK_CASE_REF_PATTERN', `is not a valid regular expression (${(e as Error).message})`);
    }
  }
  const url = env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new StoreConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
    return { engine: 'postgres', connectionString: url, caseRefPattern };
  }
  const file = env.CHANNELCHECK_SQLITE_PATH;
  return { engine: 'sqlite', file: path.resolve(file === undefined || file === '' ? DEFAULT_SQLITE_PATH : file), caseRefPattern };
}
