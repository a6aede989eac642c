/**
 * "My checks" (practitioners): each decision with where it stands (approval pending, approved or declined
 * by whom, the alert acknowledged by whom), the case's consent register where the pack asks for consent,
 * the case note again with a copy button, and the outcome card itself.
 */
import { managerStatusText } from '../../bot/presenters/managerStatusWords';
import type { DecisionView } from '../../domain/views';
import type { Api } from './api';
import { announce, cardDisclosure, facts, h } from './dom';
import { decisionBadge, londonTime } from './words';

export interface MyChecks {
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

function decisionItem(d: DecisionView, index: number): HTMLElement {
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
    h('h3', {}, 'Case note'),
    note,
    h('div', { class: 'actions' }, h('button', { type: 'button', 'aria-describedby': noteId, onclick: () => void copy(d.caseNote, note) }, 'Copy case note')),
    cardDisclosure('Show the outcome card', (cards) => cards.outcomeCard(d, `Outcome card: ${d.headline}`)),
  );
}

export async function myChecksView(api: Api): Promise<Node[]> {
  const { decisions } = await api.get<MyChecks>('my-checks');
  return [
    h('h1', {}, 'My checks'),
    decisions.length === 0
      ? h('p', {}, 'You have no checks yet. In the ChannelCheck chat, type "new check" to start one.')
      : h('ol', { class: 'list', 'aria-label': 'Your recent checks' }, decisions.map(decisionItem)),
  ];
}
