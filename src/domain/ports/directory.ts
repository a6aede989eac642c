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

/**
 * Who asks a lookup that may go to Microsoft Graph: the correlation id of the activity whose turn asks (an
 * actor carries one), put on the directory's own log lines. None outside a turn.
 */
export interface DirectoryAsker {
  readonly correlationId?: string;
}

export interface Directory {
  /** The practitioner's line manager, or null when none can be found. Throws only on an unexpected failure. */
  managerOf(userAadId: string, asking?: DirectoryAsker): Promise<Person | null>;
  /** Direct reports of a manager (for "team checks"). */
  reportsOf(managerAadId: string, asking?: DirectoryAsker): Promise<Person[]>;
  /** Configured delegates who may decide approvals on the manager's behalf. */
  delegatesOf(managerAadId: string): Promise<Person[]>;
  escalationContactsFor(userAadId: string): Promise<EscalationContacts>;
}
