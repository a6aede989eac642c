/** "Policy": the council's pack in plain language, clause by clause, with its status and the baselines that fill its silences. */
import type { PackView } from '../../domain/policy/packView';
import type { Api } from './api';
import { facts, h } from './dom';

export async function policyView(api: Api): Promise<Node[]> {
  const pack = await api.get<PackView>('policy');
  const status = pack.status;
  const warnings = [
    status.temporary ? 'This is temporary guidance: it may have been withdrawn. Check with your line manager that it still applies.' : null,
    status.guidanceOnly ? 'This is guidance only: the council does not enforce it as policy.' : null,
    status.reviewOverdue ? `Its review was due in ${status.reviewDue} and is overdue: check with your line manager that it still applies.` : null,
  ].filter((w): w is string => w !== null);
  return [
    h('h1', {}, `${pack.council}: ${pack.title}`),
    h(
      'section',
      { class: 'item', 'aria-labelledby': 'policy-about' },
      h('h2', { id: 'policy-about', class: 'visually-hidden' }, 'About this document'),
      h('p', {}, h('span', { class: `badge ${warnings.length ? 'pending' : 'good'}` }, status.label), status.reviewOverdue ? ' ' : '', status.reviewOverdue ? h('span', { class: 'badge bad' }, 'Review overdue') : null),
      facts([
        ['Service', pack.service],
        ['Version', pack.version],
        ['Dated', pack.date ?? 'undated'],
        ['Review due', status.reviewDue],
        ['Applies to', pack.scope],
        ['Pack', `${pack.councilId} sha256:${pack.contentHash.slice(0, 12)}`],
      ]),
      status.note ? h('p', {}, status.note) : null,
    ),
    ...warnings.map((w) => h('p', { class: 'notice warning' }, w)),
    h('h2', {}, 'Clause by clause'),
    h(
      'ol',
      { class: 'list', 'aria-label': 'Clauses' },
      pack.clauses.map((c) =>
        h(
          'li',
          { class: 'item' },
          h('header', {}, h('h3', {}, /^\d/.test(c.citation) ? `Clause ${c.citation}` : c.citation), h('span', { class: 'badge neutral' }, c.effect)),
          h('p', {}, c.text),
          c.conditions.length ? h('div', {}, h('p', { class: 'muted' }, 'Conditions'), h('ul', {}, c.conditions.map((x) => h('li', {}, x)))) : null,
          c.alternatives.length ? h('div', {}, h('p', { class: 'muted' }, 'Instead'), h('ul', {}, c.alternatives.map((x) => h('li', {}, x)))) : null,
          ...c.scripts.map((s) => h('details', {}, h('summary', {}, `${s.title}${s.verbatim ? ' (the council\u2019s exact words)' : ''}`), h('pre', { class: 'note' }, s.text))),
          c.replacesBaselines.length ? h('p', { class: 'muted' }, `Speaks for ChannelCheck baseline ${c.replacesBaselines.join(', ')}.`) : null,
          h('p', { class: 'muted' }, `Rule ${c.ruleId}`),
        ),
      ),
    ),
    h('h2', {}, 'Where the document is silent'),
    h('p', {}, 'ChannelCheck applies these baseline safeguards where this document says nothing. They are ChannelCheck\u2019s, not council policy.'),
    h(
      'ul',
      { class: 'list', 'aria-label': 'Baselines that fill the silences' },
      pack.baselinesFillingSilences.map((b) => h('li', { class: 'item' }, h('header', {}, h('h3', {}, b.topic), h('span', { class: 'badge neutral' }, b.effect)), h('p', {}, b.text), h('p', { class: 'muted' }, `Baseline ${b.ruleId}`))),
    ),
  ];
}
