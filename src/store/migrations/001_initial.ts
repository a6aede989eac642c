/**
 * The first schema. Migrations are frozen once released: change the schema with a new numbered file,
 * never by editing this one. Typed `Kysely<any>` on purpose: a migration must not follow later table types.
 */
import type { Kysely, Migration } from 'kysely';
import { GENESIS_HASH } from '../../domain/audit/hashChain';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practitioner_aad_id', 'text', (c) => c.notNull())
    .addColumn('practitioner_name', 'text')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('council_id', 'text', (c) => c.notNull())
    .addColumn('pack_version', 'text', (c) => c.notNull())
    .addColumn('pack_content_hash', 'text', (c) => c.notNull())
    .addColumn('baseline_hash', 'text', (c) => c.notNull())
    .addColumn('case_ref', 'text')
    .addColumn('facts', 'text')
    .addColumn('decision', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'text')
    .execute();
  await db.schema.createIndex('decisions_practitioner_idx').on('decisions').columns(['practitioner_aad_id', 'created_at']).execute();
  await db.schema.createIndex('decisions_case_ref_idx').on('decisions').column('case_ref').execute();
  await db.schema.createIndex('decisions_council_created_idx').on('decisions').columns(['council_id', 'created_at']).execute();
  await db.schema.createIndex('decisions_created_idx').on('decisions').column('created_at').execute();

  await db.schema
    .createTable('wizard_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_aad_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('council_id', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('answers', 'text')
    .addColumn('case_ref', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text')
    .addColumn('activity_id', 'text')
    .addColumn('conversation_ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('wizard_sessions_user_idx').on('wizard_sessions').columns(['user_aad_id', 'status']).execute();
  await db.schema.createIndex('wizard_sessions_case_ref_idx').on('wizard_sessions').column('case_ref').execute();
  await db.schema.createIndex('wizard_sessions_decision_idx').on('wizard_sessions').column('decision_id').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('decision_id', 'text')
    .addColumn('case_ref', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('payload_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('redacted_by_seq', 'integer')
    .execute();
  await db.schema.createIndex('audit_events_decision_idx').on('audit_events').column('decision_id').execute();
  await db.schema.createIndex('audit_events_case_ref_idx').on('audit_events').column('case_ref').execute();
  await db.schema.createIndex('audit_events_type_idx').on('audit_events').column('type').execute();

  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('audit_chain_head').values({ id: 1, last_seq: 0, last_hash: GENESIS_HASH }).execute();

  await db.schema
    .createTable('approval_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('decision_id', 'text', (c) => c.notNull().references('decisions.id'))
    .addColumn('practitioner_aad_id', 'text', (c) => c.notNull())
    .addColumn('manager_aad_id', 'text', (c) => c.notNull())
    .addColumn('delegate_aad_ids', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('comment', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .addColumn('manager_activity_id', 'text')
    .addColumn('manager_conversation_id', 'text')
    .addColumn('practitioner_activity_id', 'text')
    .addColumn('practitioner_conversation_id', 'text')
    .execute();
  await db.schema.createIndex('approval_requests_decision_idx').on('approval_requests').column('decision_id').execute();
  await db.schema.createIndex('approval_requests_manager_idx').on('approval_requests').columns(['manager_aad_id', 'status']).execute();

  await db.schema
    .createTable('escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('decision_id', 'text', (c) => c.notNull().references('decisions.id'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('due_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('practitioner_activity_id', 'text')
    .addColumn('practitioner_conversation_id', 'text')
    .execute();
  await db.schema.createIndex('escalations_decision_idx').on('escalations').column('decision_id').execute();

  await db.schema
    .createTable('timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('timers_due_idx').on('timers').column('due_at').execute();
  await db.schema.createIndex('timers_ref_idx').on('timers').column('ref_id').execute();

  await db.schema
    .createTable('conversation_references')
    .addColumn('user_aad_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text')
    .addColumn('decision_id', 'text')
    .addColumn('payload', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_activity_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_ref_idx').on('outbox').column('ref_id').execute();
  await db.schema.createIndex('outbox_decision_idx').on('outbox').column('decision_id').execute();
}

async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'outbox',
    'conversation_references',
    'timers',
    'escalations',
    'approval_requests',
    'audit_chain_head',
    'audit_events',
    'wizard_sessions',
    'decisions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

export const initialSchema: Migration = { up, down };
