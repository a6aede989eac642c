/** The versioned migrations, in code (no folder scanning, so they work the same from src/ and dist/). */
import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './001_initial';
import { outboxPriority } from './002_outbox_priority';
import { storeIntegrity } from './005_store_integrity';

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initialSchema,
  '002_outbox_priority': outboxPriority,
  '005_store_integrity': storeIntegrity,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
