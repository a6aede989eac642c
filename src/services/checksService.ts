/** "my checks" and "team checks": recent decisions as a list card. */
import { renderTemplate, type CardJson } from '../cards/renderTemplate';
import { londonDateTime } from '../domain/londonTime';
import type { Directory } from '../domain/ports/directory';
import { standingConsent } from '../domain/consentRegister';
import type { ApprovalStore, ConsentEntry, ConsentStore, DecisionRecord, DecisionStore } from '../domain/ports/store';
import type { Outcome } from '../domain/policy/precedence';
import { HEADLINES } from '../domain/policy/precedence';
import type { Actor } from './actor';

export const LIST_LIMIT = 10;

const COLOR: Record<Outcome, string> = {
  safeguarding_escalation: 'Attention',
  information_incident: 'Attention',
  whatsapp_not_permitted: 'Attention',
  manager_approval_required: 'Warning',
  use_teams: 'Accent',
  whatsapp_allowed_with_conditions: 'Good',
};

const STATE_TEXT: Record<DecisionRecord['state'], string> = {
  recorded: 'Recorded',
  awaiting_approval: 'Waiting for the line manager',
  approved: 'Approved by the line manager',
  declined: 'Declined by the line manager',
  approval_cancelled: 'Approval request withdrawn',
  escalation_open: 'Safeguarding alert not yet acknowledged',
  escalation_acknowledged: 'Safeguarding alert acknowledged',
};

function row(r: DecisionRecord, showWho: boolean, consent: ConsentEntry | null = null) {
  return {
    // A case whose consent stands can have its withdrawal recorded from here (the practitioner's own list only).
    withdraw: consent?.status === 'given' ? { caseRef: r.caseRef } : null,
    consent: consent ? (consent.status === 'given' ? 'Consent given (consent register)' : 'Consent withdrawn (consent register)') : null,
    headline: r.decision?.headline ?? HEADLINES[r.outcome],
    color: COLOR[r.outcome],
    when: londonDateTime(r.createdAt),
    council: r.decision?.policy.council ?? r.councilId,
    caseRef: r.caseRef ?? 'not given',
    who: showWho ? ` · ${r.practitionerDisplayName ?? '(erased)'}` : '',
    status: STATE_TEXT[r.state],
  };
}

export class ChecksService {
  constructor(private readonly deps: { store: DecisionStore & ApprovalStore & ConsentStore; directory: Directory }) {}

  async mine(actor: Actor): Promise<CardJson> {
    const records = await this.deps.store.listDecisionsForPractitioner(actor.aadObjectId, LIST_LIMIT);
    const cases = [...new Set(records.map((r) => r.caseRef).filter((c): c is string => c !== null))];
    const standing = new Map(await Promise.all(cases.map(async (c) => [c, standingConsent(await this.deps.store.listConsent(c))] as const)));
    // The withdrawal button sits on the latest check of each case.
    const seen = new Set<string>();
    return renderTemplate('checks-list', {
      title: 'Your recent checks',
      emptyText: 'You have no checks yet. Type **new check** to start one.',
      checks: records.map((r) => {
        const first = r.caseRef !== null && !seen.has(r.caseRef);
        if (r.caseRef !== null) seen.add(r.caseRef);
        return row(r, false, first && r.caseRef ? (standing.get(r.caseRef) ?? null) : null);
      }),
    });
  }

  async team(actor: Actor): Promise<CardJson> {
    const reports = await this.deps.directory.reportsOf(actor.aadObjectId);
    const records = await this.deps.store.listDecisionsForTeam(
      { managerAadId: actor.aadObjectId, memberAadIds: reports.map((p) => p.aadObjectId) },
      LIST_LIMIT,
    );
    return renderTemplate('checks-list', {
      title: 'Your team\'s recent checks',
      emptyText: reports.length === 0
        ? 'ChannelCheck does not know of anyone who reports to you, so there is nothing to show.'
        : 'Nobody in your team has made a check yet.',
      checks: records.map((r) => row(r, true)),
    });
  }
}
