/**
 * Every outbox row records the correlation id of the activity that queued it (null for rows queued by timers
 * or CLIs), so a delivered or dead-lettered message can be traced back to the request that caused it.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('correlation_id', 'text').execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('correlation_id').execute();
}

export const outboxCorrelation: Migration = { up, down };
