/**
 * 006: outbox priorities gain a level between routine and urgent (a same-day information-incident notice):
 * urgent rows move from 1 to 2, so that 1 is same day and 0 stays routine.
 */
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function up(db: Kysely<any>): Promise<void> {
  await db.updateTable('outbox').set({ priority: 2 }).where('priority', '=', 1).execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('outbox').set({ priority: 1 }).where('priority', '>=', 1).execute();
}

export const consentRegister: Migration = { up, down };
