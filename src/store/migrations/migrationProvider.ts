/** The versioned migrations, in code (no folder scanning, so they work the same from src/ and dist/). */
import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './001_initial';
import { outboxPriority } from './002_outbox_priority';
import { consentRegister } from './006_consent_register';

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initialSchema,
  '002_outbox_priority': outboxPriority,
  '006_consent_register': consentRegister,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
