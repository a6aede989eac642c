/**
 * The name of someone a practitioner's approval request or alert was routed to (their line manager, one of
 * the manager's delegates, or the team's Head of Service / on-call contact), from the directory: how "by
 * whom" is said once a request is settled or an alert acknowledged. Null for anyone else (someone acting
 * from the escalation channel) or when the directory cannot say. `asking`: the turn that asks (an actor), for
 * the directory's log lines.
 */
import type { Directory, DirectoryAsker } from '../domain/ports/directory';

export async function routedPersonName(directory: Directory, practitionerAadId: string, aadObjectId: string, asking?: DirectoryAsker): Promise<string | null> {
  try {
    const manager = await directory.managerOf(practitionerAadId, asking);
    const people = [manager, ...(manager ? await directory.delegatesOf(manager.aadObjectId) : []), (await directory.escalationContactsFor(practitionerAadId)).headOfService];
    return people.find((p) => p?.aadObjectId === aadObjectId)?.displayName ?? null;
  } catch {
    return null;
  }
}
