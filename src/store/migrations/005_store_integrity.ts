/**
 * Records that prove themselves, and a store that says when it cannot be written:
 * - `audit_events.record_hash`: the seal of the record an event settles (a decision, an approval's settlement,
 *   an acknowledgement), chained with the event, so `audit:verify` can tell when a stored row was changed.
 * - `store_heartbeat`: one row /readyz writes, so "ready" means the store can be written, not only read.
 * - Case references in one canonical form (trimmed, upper case) in decisions and wizard sessions. Audit events
 *   keep the case reference they were chained with (changing it would break the chain); they are matched in
 *   canonical form through an index on upper(case_ref).
 */
import { type Kysely, type Migration, sql } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('record_hash', 'text').execute();
  await db.schema
    .createTable('store_heartbeat')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('beat_at', 'text', (c) => c.notNull())
    .addColumn('beat_by', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('store_heartbeat').values({ id: 1, beat_at: new Date(0).toISOString(), beat_by: 'migration' }).execute();
  for (const table of ['decisions', 'wizard_sessions']) {
    await sql`update ${sql.table(table)} set case_ref = upper(trim(case_ref)) where case_ref is not null and case_ref <> upper(trim(case_ref))`.execute(db);
  }
  await sql`create index audit_events_case_key_idx on audit_events (upper(case_ref))`.execute(db);
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_case_key_idx').execute();
  await db.schema.dropTable('store_heartbeat').execute();
  await db.schema.alterTable('audit_events').dropColumn('record_hash').execute();
}

export const storeIntegrity: Migration = { up, down };
