/**
 * Who a safeguarding alert was routed to, kept on the alert so the store can decide who may acknowledge it
 * (src/domain/authority.ts): the practitioner's tenant, the line manager and their delegates, the Head of
 * Service / on-call contact, which levels the alert has been sent to, and the escalation channel.
 *
 * Alerts raised before this migration are filled in from what is already stored: the tenant from their
 * decision, and the manager, Head of Service and channel from the alert cards queued for them (keys
 * `alert:<id>:manager`, `alert:<id>:head_of_service`, `alert:<id>:escalate:head_of_service`, and any card to
 * a channel). Their delegates were never recorded, so none are.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
const COLUMNS = ['tenant_id', 'manager_aad_id', 'delegate_aad_ids', 'head_of_service_aad_id', 'reached_levels', 'channel_conversation_id'] as const;

async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('escalations').addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('escalations').addColumn('manager_aad_id', 'text').execute();
  await db.schema.alterTable('escalations').addColumn('delegate_aad_ids', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('escalations').addColumn('head_of_service_aad_id', 'text').execute();
  await db.schema.alterTable('escalations').addColumn('reached_levels', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('escalations').addColumn('channel_conversation_id', 'text').execute();

  const alerts = await db
    .selectFrom('escalations')
    .innerJoin('decisions', 'decisions.id', 'escalations.decision_id')
    .select(['escalations.id as id', 'decisions.tenant_id as tenant_id'])
    .execute();
  for (const alert of alerts as Array<{ id: string; tenant_id: string }>) {
    const cards = (await db.selectFrom('outbox').select(['idempotency_key', 'target_kind', 'target_id']).where('ref_id', '=', alert.id).execute()) as Array<{
      idempotency_key: string;
      target_kind: string;
      target_id: string;
    }>;
    const card = (suffix: string) => cards.find((c) => c.target_kind === 'user' && c.idempotency_key === `alert:${alert.id}:${suffix}`);
    const manager = card('manager');
    const headOfService = card('escalate:head_of_service') ?? card('head_of_service');
    const channel = cards.find((c) => c.target_kind === 'channel');
    const reached = [manager ? 'manager' : null, headOfService ? 'head_of_service' : null, channel ? 'escalation_channel' : null].filter((l) => l !== null);
    await db
      .updateTable('escalations')
      .set({
        tenant_id: alert.tenant_id,
        manager_aad_id: manager?.target_id ?? null,
        head_of_service_aad_id: headOfService?.target_id ?? null,
        reached_levels: JSON.stringify(reached),
        channel_conversation_id: channel?.target_id ?? null,
      })
      .where('id', '=', alert.id)
      .execute();
  }
}

async function down(db: Kysely<any>): Promise<void> {
  for (const column of [...COLUMNS].reverse()) await db.schema.alterTable('escalations').dropColumn(column).execute();
}

export const escalationRouting: Migration = { up, down };
