/** Fakes for the services' unit tests: an in-memory directory and store that record what they were asked. */
import pino from 'pino';
import type { Directory, EscalationContacts, Person } from '../../src/domain/ports/directory';
import type { Decision } from '../../src/domain/policy/decision';
import { evaluate } from '../../src/domain/policy/evaluate';
import { parseFacts } from '../../src/domain/facts';
import type { DecisionRecord } from '../../src/domain/ports/store';
import type { Actor } from '../../src/services/actor';
import { council } from '../support/policies';

export const PAT: Actor = { aadObjectId: 'aaaaaaaa-1000-0000-0000-000000000001', displayName: 'Robin Caseworker', tenantId: 'tenant-test', conversationId: 'a:pat-1to1' };
/** A person acting from their own 1:1 chat, in the practitioner's tenant. */
export function acting(person: Person): Actor {
  return { ...person, tenantId: PAT.tenantId, conversationId: `a:${person.aadObjectId}-1to1` };
}
export const LEE: Person = { aadObjectId: 'aaaaaaaa-1000-0000-0000-000000000002', displayName: 'Morgan Teamlead' };
export const SAM: Person = { aadObjectId: 'aaaaaaaa-1000-0000-0000-000000000003', displayName: 'Harper Servicehead' };
export const JO: Person = { aadObjectId: 'aaaaaaaa-1000-0000-0000-000000000005', displayName: 'Quinn Deputy' };
export const CHANNEL = '19:safeguarding-leads@thread.tacv2';

const BASE = { initiatedBy: 'practitioner', device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true };
export const FACTS = {
  needsApproval: { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false },
  safeguarding: { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true },
  allowed: { ...BASE, contactType: 'young_person', age: 17, purpose: 'keep_in_touch' },
};

export const hillingdon = () => council('hillingdon');
export function decide(facts: Record<string, unknown>): Decision {
  return evaluate(hillingdon(), parseFacts(facts));
}

/** A directory held in memory; `fail` makes a lookup throw, as Graph does when it is down. */
export class FakeDirectory implements Directory {
  managers = new Map<string, Person>([[PAT.aadObjectId, LEE]]);
  delegates = new Map<string, Person[]>([[LEE.aadObjectId, [JO]]]);
  headOfService: Person | null = SAM;
  fail = new Set<'managerOf' | 'delegatesOf' | 'escalationContactsFor'>();
  async managerOf(id: string): Promise<Person | null> {
    if (this.fail.has('managerOf')) throw new Error('Graph is unavailable');
    return this.managers.get(id) ?? null;
  }
  async reportsOf(): Promise<Person[]> {
    return [];
  }
  async delegatesOf(id: string): Promise<Person[]> {
    if (this.fail.has('delegatesOf')) throw new Error('Graph is unavailable');
    return this.delegates.get(id) ?? [];
  }
  async escalationContactsFor(): Promise<EscalationContacts> {
    if (this.fail.has('escalationContactsFor')) throw new Error('Graph is unavailable');
    return { headOfService: this.headOfService };
  }
}

export function decisionRecord(id: string, decision: Decision, overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  const at = new Date('2026-03-03T10:00:00Z');
  return {
    id,
    practitionerAadId: PAT.aadObjectId,
    practitionerDisplayName: PAT.displayName,
    tenantId: PAT.tenantId,
    councilId: 'hillingdon',
    packVersion: decision.policy.version,
    packContentHash: 'sha256:test',
    baselineHash: 'sha256:test',
    caseRef: 'CR-90001',
    facts: decision.facts,
    decision,
    outcome: decision.outcome,
    state: 'recorded' as DecisionRecord['state'],
    createdAt: at,
    updatedAt: at,
    erasedAt: null,
    ...overrides,
  };
}

/** A logger whose lines are kept, to assert on alerts. */
export function capturingLog(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void chunks.push(s) });
  return { log, lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>) };
}
