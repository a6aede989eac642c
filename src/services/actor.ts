/** The Teams user behind an action, as the server established it from the activity (never from card data). */
export interface Actor {
  aadObjectId: string;
  displayName: string;
  tenantId: string;
}
