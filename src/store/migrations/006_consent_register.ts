/**
 * 006: the consent register, and a same-day outbox priority.
 * - consent_register: each consent a practitioner records against a case reference ("They replied YES",
 *   "They agreed") and each withdrawal, with who, when and the script's id and version.
 * - Outbox priorities gain a level between routine and urgent (an information incident's same-day notice):
 *   urgent rows move from 1 to 2, so that 1 is same day and 0 stays routine.
 */
import { type Kysely, type Migration, sql } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consent_register')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_ref', 'text', (c) => c.notNull())
    .addColumn('council_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('given', 'withdrawn')`))
    .addColumn('script_id', 'text')
    .addColumn('script_version', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('decision_id', 'text', (c) => c.references('decisions.id'))
    .addColumn('recorded_by_aad_id', 'text', (c) => c.notNull())
    .addColumn('recorded_by_name', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_register_case_idx').on('consent_register').columns(['case_ref', 'recorded_at']).execute();
  await db.updateTable('outbox').set({ priority: 2 }).where('priority', '=', 1).execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('outbox').set({ priority: 1 }).where('priority', '>=', 1).execute();
  await db.schema.dropTable('consent_register').execute();
}

export const consentRegister: Migration = { up, down };
