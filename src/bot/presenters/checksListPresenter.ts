/** "my checks", "team checks" and "approvals" as list cards, with a button per entry. */
import { londonDateTime } from '../../domain/londonTime';
import type { Outcome } from '../../domain/policy/precedence';
import type { DecisionState } from '../../domain/ports/store';
import type { ChecksEntryView, ChecksListView } from '../../domain/views';
import { type CardJson, renderTemplate } from './renderTemplate';

const COLOR: Record<Outcome, string> = {
  safeguarding_escalation: 'Attention',
  information_incident: 'Attention',
  whatsapp_not_permitted: 'Attention',
  manager_approval_required: 'Warning',
  use_teams: 'Accent',
  whatsapp_allowed_with_conditions: 'Good',
};

const STATE_TEXT: Record<DecisionState, string> = {
  recorded: 'Recorded',
  awaiting_approval: 'Waiting for the line manager',
  approved: 'Approved by the line manager',
  declined: 'Declined by the line manager',
  approval_cancelled: 'Approval request withdrawn',
  escalation_open: 'Safeguarding alert not yet acknowledged',
  escalation_acknowledged: 'Safeguarding alert acknowledged',
};

const WAITING_TEXT = { alert: 'Urgent safeguarding alert: not yet acknowledged', approval: 'Waiting for your approval' } as const;

function row(e: ChecksEntryView, showWho: boolean) {
  return {
    decisionId: e.decisionId,
    // A case whose consent stands can have its withdrawal recorded from here (the practitioner's own list only).
    withdraw: e.mayWithdrawConsent ? { caseRef: e.caseRef } : null,
    consent: e.consent ? (e.consent === 'given' ? 'Consent given (consent register)' : 'Consent withdrawn (consent register)') : null,
    headline: e.headline,
    color: COLOR[e.outcome],
    when: londonDateTime(new Date(e.createdAt)),
    council: e.council,
    caseRef: e.caseRef ?? 'not given',
    who: showWho ? ` · ${e.practitionerName ?? '(erased)'}` : '',
    status: e.waitingFor ? WAITING_TEXT[e.waitingFor] : STATE_TEXT[e.state],
  };
}

const TITLES = {
  mine: { title: 'Your recent checks', empty: () => 'You have no checks yet. Type **new check** to start one.' },
  team: {
    title: 'Your team\'s recent checks',
    empty: (v: ChecksListView) => (v.hasTeam ? 'Nobody in your team has made a check yet.' : 'ChannelCheck does not know of anyone who reports to you, so there is nothing to show.'),
  },
  waiting: { title: 'Waiting for you', empty: () => 'Nothing is waiting for you: no approval requests and no unacknowledged safeguarding alerts.' },
} as const;

/** The data the checks-list template is bound to. */
export function checksListData(view: ChecksListView) {
  const t = TITLES[view.list];
  return { title: t.title, emptyText: t.empty(view), checks: view.entries.map((e) => row(e, view.list !== 'mine')) };
}

export function presentChecksList(view: ChecksListView): CardJson {
  return renderTemplate('checks-list', checksListData(view));
}
