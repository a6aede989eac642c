/**
 * Who is whose line manager. Implemented by the directory file (embedded default) and by Microsoft Graph
 * (`/users/{id}/manager`); both behind this one small interface.
 */
export interface Person {
  aadObjectId: string;
  displayName: string;
}

export interface EscalationContacts {
  /** Head of Service or on-call manager for the practitioner's team, when configured. */
  headOfService: Person | null;
}

export interface Directory {
  /** The practitioner's line manager, or null when none can be found. Throws only on an unexpected failure. */
  managerOf(userAadId: string): Promise<Person | null>;
  /** Direct reports of a manager (for "team checks"). */
  reportsOf(managerAadId: string): Promise<Person[]>;
  /** Configured delegates who may decide approvals on the manager's behalf. */
  delegatesOf(managerAadId: string): Promise<Person[]>;
  escalationContactsFor(userAadId: string): Promise<EscalationContacts>;
}
