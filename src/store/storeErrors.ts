/** Errors the store throws. Races are not errors: they come back as tagged results (see the ports). */

/** Input the store refuses (bad case reference, over-long comment...). `field` names what to fix. */
export class StoreValidationError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'StoreValidationError';
  }
}

/** The operation cannot go ahead in the state the record is in (e.g. a wizard session moved on). */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** A message with this idempotency key is already in the outbox; the whole operation was rolled back. */
export class DuplicateIdempotencyKeyError extends StoreConflictError {
  constructor(readonly idempotencyKey: string) {
    super(`an outbox message with idempotency key ${JSON.stringify(idempotencyKey)} already exists`);
    this.name = 'DuplicateIdempotencyKeyError';
  }
}
