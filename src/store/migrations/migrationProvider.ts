/** The versioned migrations, in code (no folder scanning, so they work the same from src/ and dist/). */
import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './001_initial';
import { outboxPriority } from './002_outbox_priority';
import { escalationRouting } from './003_escalation_routing';
import { storeIntegrity } from './005_store_integrity';
import { consentRegister } from './006_consent_register';
import { outboxCorrelation } from './007_outbox_correlation';
import { alertHoursAndAcknowledger } from './008_alert_hours_and_acknowledger';

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initialSchema,
  '002_outbox_priority': outboxPriority,
  '003_escalation_routing': escalationRouting,
  '005_store_integrity': storeIntegrity,
  '006_consent_register': consentRegister,
  '007_outbox_correlation': outboxCorrelation,
  '008_alert_hours_and_acknowledger': alertHoursAndAcknowledger,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
