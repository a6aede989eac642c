/**
 * A per-user rate limit (rate-limiter-flexible): `points` actions per `windowSeconds` for each key (tenant and
 * Entra object id). In memory for a single SQLite process; shared by every replica through a PostgreSQL table
 * (`rate_limits`, created by the library if missing) when DATABASE_URL is set, with an in-memory limiter as
 * insurance while the database cannot be reached. Made for bot turns and, with its own key prefix, for any
 * other entry point (an /api/tab/ API) that needs the same protection.
 *
 * The limiter never refuses because of its own failure: an error in it lets the action through (and is logged
 * by the caller). The library reads the wall clock itself (Date.now, setTimeout); tests drive it with fake
 * timers.
 */
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the next action is allowed. */
  retryAfterMs: number;
}

export interface UserRateLimiter {
  /** Spends one point for `key`; refused when the window's points are used up. */
  consume(key: string): Promise<RateDecision>;
}

export interface UserRateLimiterOptions {
  /** Actions allowed per window; 0 turns the limit off. */
  points: number;
  windowSeconds: number;
  /** Separates limits that share a store (e.g. 'bot', 'tab'). */
  keyPrefix: string;
  /** Shared limit across replicas: a pg pool, and the schema of the table (default the search path's). */
  postgres?: { pool: Pool; schemaName?: string; tableName?: string };
}

/** Never refuses: for a limit of 0 points (turned off). */
const UNLIMITED: UserRateLimiter = { consume: async () => ({ allowed: true, retryAfterMs: 0 }) };

export async function createUserRateLimiter(options: UserRateLimiterOptions): Promise<UserRateLimiter> {
  if (options.points === 0) return UNLIMITED;
  const base = { points: options.points, duration: options.windowSeconds, keyPrefix: options.keyPrefix };
  let limiter: RateLimiterAbstract;
  if (options.postgres) {
    const { pool, schemaName, tableName } = options.postgres;
    limiter = await new Promise<RateLimiterAbstract>((resolve, reject) => {
      const pg: RateLimiterPostgres = new RateLimiterPostgres(
        {
          ...base,
          storeClient: pool,
          tableName: tableName ?? 'rate_limits',
          ...(schemaName ? { schemaName } : {}),
          clearExpiredByTimeout: false,
          insuranceLimiter: new RateLimiterMemory(base),
        },
        (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(pg)),
      );
    });
  } else {
    limiter = new RateLimiterMemory(base);
  }
  return {
    async consume(key) {
      try {
        await limiter.consume(key, 1);
        return { allowed: true, retryAfterMs: 0 };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(0, refusal.msBeforeNext) };
        throw refusal;
      }
    },
  };
}
