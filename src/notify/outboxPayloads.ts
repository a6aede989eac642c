/**
 * What an outbox row asks the dispatcher to do. The services queue these (in the same transaction as the
 * state change); the dispatcher delivers them. The schemas live with the store's port
 * (src/domain/ports/outboxMessages.ts), so the port, the services and the dispatcher share one contract.
 */
export * from '../domain/ports/outboxMessages';
