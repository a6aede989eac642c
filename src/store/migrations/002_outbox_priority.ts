/**
 * Urgent safeguarding alerts are delivered before routine messages: an outbox row carries a priority
 * (1 urgent, 0 routine; from 006 on: 2 urgent, 1 same day, 0 routine) and the claim takes the highest priority first.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('outbox_claim_idx').on('outbox').columns(['status', 'priority', 'next_attempt_at']).execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_claim_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('priority').execute();
}

export const outboxPriority: Migration = { up, down };
