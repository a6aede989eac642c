/**
 * Two facts a safeguarding alert's cards say, kept on the alert: which hours it was routed for and why
 * (`routed_hours`, JSON: the basis, when, the council's hours; the clock can override the practitioner's answer),
 * and the acknowledger's display name as Teams gave it (`acknowledged_by_name`), so the practitioner's card can
 * name who acknowledged it. Both null on alerts raised or acknowledged before.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('escalations').addColumn('routed_hours', 'text').execute();
  await db.schema.alterTable('escalations').addColumn('acknowledged_by_name', 'text').execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('escalations').dropColumn('acknowledged_by_name').execute();
  await db.schema.alterTable('escalations').dropColumn('routed_hours').execute();
}

export const alertHoursAndAcknowledger: Migration = { up, down };
