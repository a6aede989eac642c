/**
 * "Approvals" (line managers and delegates): open safeguarding alerts with Acknowledge, oldest first, with
 * how long each has waited; pending approval requests with a comment and Approve / Decline; and the
 * team's recent decisions. Each action goes through the same API, services and rules as a card's button.
 */
import { LEVEL_WORDS } from '../../domain/escalations';
import type { AlertView, ApprovalView, ChecksListView } from '../../domain/views';
import { ApiError, type Api } from './api';
import { announce, cardDisclosure, facts, h } from './dom';
import { entryBadge, londonTime, waited } from './words';

export interface Approvals {
  now: string;
  alerts: AlertView[];
  approvals: ApprovalView[];
  team: ChecksListView;
}

function failure(e: unknown): string {
  return e instanceof ApiError ? e.message : 'ChannelCheck could not record that; try again.';
}

function alertItem(api: Api, a: AlertView, now: string, refresh: () => void): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const who = a.practitioner.name ?? 'A practitioner';
  const button = h('button', { type: 'button', class: 'danger', 'aria-describedby': `alert-${a.escalationId}` }, 'Acknowledge');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const done = await api.post<AlertView>(`alerts/${encodeURIComponent(a.escalationId)}/acknowledge`, {});
      announce(done.status === 'acknowledged' ? `Alert acknowledged. ${who} has been told.` : 'The alert is still open.');
      refresh();
    } catch (e) {
      error.textContent = failure(e);
      button.disabled = false;
    }
  });
  return h(
    'li',
    { class: 'item urgent', 'data-escalation-id': a.escalationId },
    h('header', {}, h('h3', { id: `alert-${a.escalationId}` }, `Safeguarding alert: ${who}`), h('span', { class: 'badge bad' }, `Waiting ${waited(a.raisedAt, now)}`)),
    facts([
      ['Raised', londonTime(a.raisedAt)],
      ['Case', a.caseRef ?? 'not given'],
      ['Now with', LEVEL_WORDS[a.level]],
    ]),
    h('ul', {}, a.reasons.map((r) => h('li', {}, r.text))),
    a.viewerMayAcknowledge ? h('div', { class: 'actions' }, button) : h('p', { class: 'muted' }, 'You cannot acknowledge this alert.'),
    error,
    cardDisclosure('Show the alert card', (cards) => cards.alertCard(a, `Alert card for ${who}`)),
  );
}

function approvalItem(api: Api, r: ApprovalView, now: string, refresh: () => void): HTMLElement {
  const who = r.practitioner.name ?? 'A practitioner';
  const commentId = `comment-${r.approvalId}`;
  const comment = h('textarea', { id: commentId, name: 'comment', rows: '2', maxlength: '1000' });
  const error = h('p', { class: 'error', role: 'alert' });
  const decide = (action: 'approve' | 'decline') => async () => {
    for (const b of buttons) b.disabled = true;
    try {
      const done = await api.post<ApprovalView>(`approvals/${encodeURIComponent(r.approvalId)}/${action}`, { comment: comment.value, version: r.version });
      announce(done.status === 'approved' ? `Approved. ${who} has been told.` : done.status === 'declined' ? `Declined. ${who} has been told.` : `The request is ${done.status}.`);
      refresh();
    } catch (e) {
      error.textContent = failure(e);
      for (const b of buttons) b.disabled = false;
    }
  };
  const buttons = [
    h('button', { type: 'button', class: 'primary', onclick: () => void decide('approve')() }, 'Approve'),
    h('button', { type: 'button', onclick: () => void decide('decline')() }, 'Decline'),
  ];
  return h(
    'li',
    { class: 'item', 'data-approval-id': r.approvalId },
    h('header', {}, h('h3', {}, `Approval request: ${who}`), h('span', { class: 'badge pending' }, `Waiting ${waited(r.requestedAt, now)}`)),
    facts([
      ['Asked', londonTime(r.requestedAt)],
      ['Case', r.caseRef ?? 'not given'],
      ['Policy', r.council],
    ]),
    h('p', { class: 'muted' }, 'Why it needs your agreement'),
    h('ul', {}, r.reasons.map((x) => h('li', {}, x.text))),
    r.conditions.length ? h('div', {}, h('p', { class: 'muted' }, 'If you approve, they must'), h('ul', {}, r.conditions.map((x) => h('li', {}, x.text)))) : null,
    r.viewerMayDecide
      ? h('div', { class: 'actions' }, h('div', { class: 'field' }, h('label', { for: commentId }, 'Comment (optional)'), comment), ...buttons)
      : h('p', { class: 'muted' }, 'You cannot decide this request.'),
    error,
    cardDisclosure('Show the approval card', (cards) => cards.approvalCard(r, `Approval card for ${who}`)),
  );
}

function teamSection(team: ChecksListView): Node[] {
  if (!team.hasTeam) return [h('p', {}, 'ChannelCheck does not know of anyone who reports to you.')];
  if (team.entries.length === 0) return [h('p', {}, 'Nobody in your team has made a check yet.')];
  return [
    h(
      'ul',
      { class: 'list', 'aria-label': "Your team's recent checks" },
      team.entries.map((e) => {
        const badge = entryBadge(e);
        return h(
          'li',
          { class: 'item', 'data-decision-id': e.decisionId },
          h('header', {}, h('h3', {}, `${e.practitionerName ?? '(erased)'}: ${e.headline}`), h('span', { class: `badge ${badge.tone}` }, badge.text)),
          facts([
            ['Checked', londonTime(e.createdAt)],
            ['Case', e.caseRef ?? 'not given'],
          ]),
        );
      }),
    ),
  ];
}

export async function approvalsView(api: Api, refresh: () => void): Promise<Node[]> {
  const v = await api.get<Approvals>('approvals');
  const nothing = v.alerts.length === 0 && v.approvals.length === 0;
  return [
    h('h1', {}, 'Approvals'),
    h('h2', {}, 'Safeguarding alerts'),
    v.alerts.length === 0
      ? h('p', {}, 'No safeguarding alert is waiting for you.')
      : h('ol', { class: 'list', 'aria-label': 'Safeguarding alerts, oldest first' }, v.alerts.map((a) => alertItem(api, a, v.now, refresh))),
    h('h2', {}, 'Approval requests'),
    v.approvals.length === 0
      ? h('p', {}, nothing && !v.team.hasTeam ? 'Nothing is waiting for you. Approvals are for line managers and their delegates.' : 'No approval request is waiting for you.')
      : h('ol', { class: 'list', 'aria-label': 'Approval requests, oldest first' }, v.approvals.map((r) => approvalItem(api, r, v.now, refresh))),
    h('h2', {}, "Your team's recent checks"),
    ...teamSection(v.team),
  ];
}
