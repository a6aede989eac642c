import type { ActingUser } from '../domain/authority';

/**
 * The Teams user behind an action, as the server established it from the activity (never from card data):
 * their Entra object id, tenant and the conversation the activity came from, and their name for display.
 */
export interface Actor extends ActingUser {
  displayName: string;
}
