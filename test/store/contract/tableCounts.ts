/** How many rows each table holds, straight from the database. */
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/store/schema';

const TABLES = ['decisions', 'audit_events', 'approval_requests', 'escalations', 'timers', 'outbox', 'wizard_sessions'] as const;
export type Counts = Record<(typeof TABLES)[number], number>;

export async function tableCounts(db: Kysely<Database>): Promise<Counts> {
  const counts = {} as Counts;
  for (const table of TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
