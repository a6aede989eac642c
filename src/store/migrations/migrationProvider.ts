/** The versioned migrations, in code (no folder scanning, so they work the same from src/ and dist/). */
import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './001_initial';

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initialSchema,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
