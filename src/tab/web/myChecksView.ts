/**
 * "My checks" (practitioners): each decision with where it stands (approval pending, approved or declined
 * by whom, the alert acknowledged by whom), the case's consent register where the pack asks for consent,
 * the case note again with a copy button, and the outcome card itself.
 */
import { managerStatusText } from '../../bot/presenters/managerStatusWords';
import type { ChecksListView, DecisionView, MessageView } from '../../domain/views';
import { ApiError, type Api } from './api';
import { announce, cardDisclosure, facts, h } from './dom';
import { decisionBadge, londonTime } from './words';

export interface MyChecks {
  list: ChecksListView;
  decisions: DecisionView[];
}

async function copy(text: string, note: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    announce('Case note copied.');
  } catch {
    // Clipboard access can be refused inside a frame: select the text so the person can copy it themselves.
    const range = document.createRange();
    range.selectNodeContents(note);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    announce('The case note is selected: press Control and C (or Command and C) to copy it.');
  }
}

/** "They withdrew consent", on the latest check of a case whose consent stands: recorded in the consent register. */
function withdrawal(api: Api, d: DecisionView, index: number, refresh: () => void): HTMLElement {
  const hintId = `withdraw-hint-${index}`;
  const error = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', 'aria-describedby': hintId }, 'They withdrew consent');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const done = await api.post<MessageView>('consent/withdraw', { caseRef: d.caseRef });
      announce(done.notice === 'consent_withdrawn' ? `Consent withdrawn for case ${d.caseRef}.` : 'Nothing was changed.');
      refresh();
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : 'ChannelCheck could not record that; try again.';
      button.disabled = false;
    }
  });
  return h(
    'div',
    {},
    h('p', { id: hintId, class: 'muted' }, `If they have withdrawn their consent, record it: the next check for case ${d.caseRef} will say no WhatsApp.`),
    h('div', { class: 'actions' }, button),
    error,
  );
}

function decisionItem(api: Api, d: DecisionView, index: number, mayWithdraw: boolean, refresh: () => void): HTMLElement {
  const badge = decisionBadge(d);
  const noteId = `case-note-${index}`;
  const note = h('pre', { class: 'note', id: noteId, tabindex: '0', 'aria-label': 'Case note' }, d.caseNote);
  const status = managerStatusText(d.managerStatus);
  return h(
    'li',
    { class: `item${d.urgency === 'urgent' ? ' urgent' : ''}`, 'data-decision-id': d.decisionId },
    h('header', {}, h('h2', {}, d.headline), h('span', { class: `badge ${badge.tone}` }, badge.text)),
    facts([
      ['Checked', londonTime(d.createdAt)],
      ['Case', d.caseRef ?? 'not given'],
      ['Policy', `${d.policy.council}, ${d.policy.title}`],
    ]),
    status ? h('p', { class: 'status-line' }, status) : null,
    d.approval?.comment ? h('p', {}, `Comment: "${d.approval.comment}"`) : null,
    d.consent.registerLine ? h('p', { class: 'consent' }, h('strong', {}, 'Consent register: '), d.consent.registerLine) : null,
    mayWithdraw && d.caseRef ? withdrawal(api, d, index, refresh) : null,
    h('h3', {}, 'Case note'),
    note,
    h('div', { class: 'actions' }, h('button', { type: 'button', 'aria-describedby': noteId, onclick: () => void copy(d.caseNote, note) }, 'Copy case note')),
    cardDisclosure('Show the outcome card', (cards) => cards.outcomeCard(d, `Outcome card: ${d.headline}`)),
  );
}

export async function myChecksView(api: Api, refresh: () => void): Promise<Node[]> {
  const { list, decisions } = await api.get<MyChecks>('my-checks');
  const withdrawable = new Set(list.entries.filter((e) => e.mayWithdrawConsent).map((e) => e.decisionId));
  return [
    h('h1', {}, 'My checks'),
    decisions.length === 0
      ? h('p', {}, 'You have no checks yet. In the ChannelCheck chat, type "new check" to start one.')
      : h('ol', { class: 'list', 'aria-label': 'Your recent checks' }, decisions.map((d, i) => decisionItem(api, d, i, withdrawable.has(d.decisionId), refresh))),
  ];
}
