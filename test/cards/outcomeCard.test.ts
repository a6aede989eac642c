/**
 * The outcome card on a phone: the first screen holds the headline, what to do now (at most five items), the
 * message to send and who was told; everything else is behind labelled, collapsed sections and nothing is
 * lost; citations are short in the line and full under "Why"; the headline is readable in Teams' light and
 * dark themes; guidance and temporary documents say so; the case note is one monospace block to copy.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { welcomeCard } from '../../src/bot/handlers/commandHandlers';
import { DO_NOW_MAX, FIRST_SCREEN_CHARS, outcomeCardData, presentOutcome, shortCite, shortClause } from '../../src/bot/presenters/outcomePresenter';
import { managerStatusText } from '../../src/bot/presenters/managerStatusWords';
import { cardProblems } from '../../src/bot/presenters/validateCard';
import { caseNoteText } from '../../src/domain/caseNote';
import { parseFacts } from '../../src/domain/facts';
import type { Decision } from '../../src/domain/policy/decision';
import { evaluate } from '../../src/domain/policy/evaluate';
import { parseScenarioFile } from '../../src/domain/policy/scenarios';
import { decisionContent, decisionViewSchema, type DecisionView } from '../../src/domain/views';
import { POLICIES_DIR } from '../../src/paths';
import { catalogue } from '../support/policies';
import { type ContainerStyle, type TextColor, textContrast } from '../support/teamsHostConfig';
import { decisionViewOf, settledApproval } from '../support/views';

const NOW = new Date('2026-03-03T10:00:00Z');
const HILLINGDON_17 = { contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', initiatedBy: 'practitioner', teamsAvailable: true, withinWorkingHours: true };

function decide(council: string, facts: Record<string, unknown>): Decision {
  return evaluate(catalogue().councils.get(council)!, parseFacts(facts));
}

function viewOf(decision: Decision, over: Partial<DecisionView> = {}): DecisionView {
  const caseNote = caseNoteText({ practitionerDisplayName: 'Pat Practitioner', createdAt: NOW, caseRef: 'CR-1001', decision });
  return decisionViewOf(decision, { caseNote, managerStatus: decision.notifyManager ? [{ kind: 'notice_sent', managerName: 'Lee Manager' }] : [], ...over });
}

/** Every scenario of every council's pack, as an outcome view. */
function everyScenario(): Array<{ name: string; decision: Decision; view: DecisionView }> {
  const all: Array<{ name: string; decision: Decision; view: DecisionView }> = [];
  for (const [id, policy] of catalogue().councils) {
    const file = parseScenarioFile(fs.readFileSync(path.join(POLICIES_DIR, `${id}.tests.yaml`), 'utf8'), id);
    for (const s of file.scenarios) {
      const decision = evaluate(policy, parseFacts(s.facts));
      all.push({ name: `${id}: ${s.name}`, decision, view: viewOf(decision) });
    }
  }
  return all;
}

/** The body elements shown before anything is opened: up to the first collapsed section's button. */
function firstScreen(card: any): any[] {
  const body: any[] = card.body;
  const firstToggle = body.findIndex((b) => b.type === 'ActionSet');
  return (firstToggle === -1 ? body : body.slice(0, firstToggle)).filter((b) => b.isVisible !== false);
}

/** The collapsed sections: each toggle's label and the hidden container it opens. */
function sections(card: any): Map<string, any> {
  const byId = new Map<string, any>(card.body.filter((b: any) => b.id).map((b: any) => [b.id, b]));
  const found = new Map<string, any>();
  for (const set of card.body.filter((b: any) => b.type === 'ActionSet')) {
    for (const a of set.actions) {
      assert.equal(a.type, 'Action.ToggleVisibility');
      assert.equal(a.targetElements.length, 1);
      const target = byId.get(a.targetElements[0]);
      assert.ok(target, `the toggle "${a.title}" opens an element of the card`);
      assert.equal(target.isVisible, false, `"${a.title}" starts collapsed`);
      found.set(a.title, target);
    }
  }
  return found;
}

const text = (x: unknown) => JSON.stringify(x);
const has = (x: unknown, s: string) => text(x).includes(JSON.stringify(s).slice(1, -1));

/** Every text element with the container style it sits on. */
function texts(card: any): Array<{ style: ContainerStyle; color: TextColor; subtle: boolean; text: string }> {
  const out: Array<{ style: ContainerStyle; color: TextColor; subtle: boolean; text: string }> = [];
  const visit = (x: any, style: ContainerStyle) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach((y) => visit(y, style));
    const here: ContainerStyle = (x.type === 'Container' || x.type === 'Column') && x.style ? x.style : style;
    if (x.type === 'TextBlock' || x.type === 'TextRun') out.push({ style: here, color: (x.color ?? 'default').toLowerCase(), subtle: x.isSubtle === true, text: x.text });
    for (const [k, v] of Object.entries(x)) if (k !== 'actions') visit(v, here);
  };
  visit(card.body, 'default');
  return out;
}

describe('cards: the outcome card on a phone', () => {
  const all = everyScenario();

  it('every outcome card is valid for the Adaptive Cards SDK, with its new parts', () => {
    for (const { name, view } of all) {
      assert.deepEqual(cardProblems(presentOutcome(view)), [], name);
      assert.deepEqual(decisionViewSchema.parse(JSON.parse(JSON.stringify(view))), view, `${name}: the view is its schema's`);
    }
  });

  it('the first screen holds the headline, what to do now (at most five), the message to send and who was told', () => {
    const decision = decide('hillingdon', HILLINGDON_17);
    const card = presentOutcome(viewOf(decision, { managerStatus: [{ kind: 'notice_sent', managerName: 'Lee Manager' }] })) as any;
    const first = firstScreen(card);
    assert.equal(first[0].items[0].text, 'WhatsApp is allowed, with conditions');
    assert.equal(first[1].items[0].text, 'Conditions to follow');
    assert.equal(first[1].items.length - 1, DO_NOW_MAX, 'five of the ten conditions: they leave room for the script');
    assert.match(first[1].items[1].text, /^1\. WhatsApp is the safest/);
    assert.ok(has(first, decision.scripts[0]!.text), 'the script to send');
    assert.ok(has(first, 'Your line manager Lee Manager has been notified.'), 'who was told');
    // The script is one block of its own, to copy: a RichTextBlock with the script's text alone.
    const script = first.find((b) => b.items?.some((i: any) => i.type === 'RichTextBlock'));
    assert.equal(script.style, 'emphasis');
    assert.deepEqual(script.items.find((i: any) => i.type === 'RichTextBlock').inlines.map((r: any) => r.text), [decision.scripts[0]!.text]);

    for (const { name, decision: d, view } of all) {
      const c = presentOutcome(view) as any;
      const f = firstScreen(c);
      assert.ok(has(f[0], view.headline), `${name}: headline first`);
      const doNow = f.find((b) => b.items?.[0]?.text && /^(Do this now|Conditions to follow|Instead|If your manager)/.test(b.items[0].text));
      if (d.actNow.length > 0) assert.equal(doNow.items[0].text, 'Do this now', `${name}: urgent steps lead`);
      if (doNow) assert.ok(doNow.items.length - 1 <= DO_NOW_MAX, `${name}: at most ${DO_NOW_MAX}`);
      if (doNow && d.actNow.length === 0 && doNow.items.length > 2) {
        const chars = doNow.items.slice(1).reduce((n: number, i: any) => n + i.text.replace(/^\d+\. | _\([^)]*\)_$/g, '').length, 0) + (d.scripts[0] ? d.scripts[0].title.length + d.scripts[0].text.length : 0);
        assert.ok(chars <= FIRST_SCREEN_CHARS, `${name}: ${chars} characters of checklist and script on the first screen`);
      }
      if (d.scripts[0]) assert.ok(has(f, d.scripts[0].text), `${name}: the first script on the first screen`);
      const status = managerStatusText(view.managerStatus);
      if (status) assert.ok(has(f, status), `${name}: who was told`);
      for (const hidden of ['Why', 'Who to contact', 'Case-note summary']) assert.ok(!text(f).includes(hidden), `${name}: ${hidden} is not on the first screen`);
    }
  });

  it('long conditions leave room for a long script: fewer of them on the first screen, the rest in the full checklist', () => {
    const decision = decide('waltham-forest', { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'appointment', consent: 'not_asked' });
    assert.ok(decision.scripts[0]!.text.length > 500 && decision.conditions.length > DO_NOW_MAX);
    const card = presentOutcome(viewOf(decision)) as any;
    const shown = firstScreen(card)[1].items.length - 1;
    assert.ok(shown >= 1 && shown < DO_NOW_MAX, `${shown} shown`);
    assert.ok(has(firstScreen(card), decision.scripts[0]!.text));
    assert.ok(decision.conditions.every((c) => has(sections(card).get(`Full checklist (${decision.conditions.length})`), c.text)));
  });

  it('the reasons, the full checklist, the other ways, the contacts and the case note are behind labelled, collapsed sections; nothing is lost', () => {
    const decision = decide('hillingdon', HILLINGDON_17);
    const labels = [...sections(presentOutcome(viewOf(decision))).keys()];
    assert.deepEqual(labels, ['Why (1 reason)', 'Full checklist (10)', 'Case note to copy']);

    let seen = 0;
    for (const { name, decision: d, view } of all) {
      const card = presentOutcome(view) as any;
      const s = sections(card);
      const why = [...s].find(([k]) => /^Why \(\d+ reasons?\)$/.test(k))?.[1];
      assert.ok(why, `${name}: a Why section`);
      for (const r of d.reasons.filter((x) => x.decisive && !x.later)) assert.ok(has(why, r.text) && has(why, r.ruleId), `${name}: reason ${r.ruleId} with its rule id`);
      const note = s.get('Case note to copy');
      assert.ok(note && has(note, view.caseNote), `${name}: the case note`);
      const contacts = [...s].find(([k]) => k === `Who to contact (${d.contacts.length})`)?.[1];
      if (d.contacts.length > 0) for (const c of d.contacts) assert.ok(contacts && has(contacts, c.label), `${name}: contact ${c.label}`);
      const first = firstScreen(card);
      for (const c of d.conditions) {
        const checklist = s.get(`Full checklist (${d.actNow.length + d.conditions.length})`);
        assert.ok(has(first, c.text) || has(checklist, c.text), `${name}: condition shown`);
        if (!has(first, c.text)) seen++;
      }
      for (const a of d.alternatives) assert.ok(has(first, a.text) || has(s.get(`Other ways to contact them (${d.alternatives.length})`), a.text), `${name}: alternative shown`);
      for (const x of [...d.scripts, ...(d.routineLater?.scripts ?? [])]) assert.ok(has(card, x.text), `${name}: script ${x.id}`);
      for (const x of d.record.instructions) assert.ok(has(note, x.text), `${name}: record instruction in the case-note section`);
      // Every rule that fired can be traced: its full citation is under Why (or, for routine contact later, in that part).
      const routine = [...s].find(([k]) => k.startsWith('For routine contact later'))?.[1] ?? null;
      assert.equal(routine !== null, d.routineLater !== null, `${name}: a routine part exactly when there is one`);
      for (const r of d.reasons) assert.ok(has(why, r.ruleId) || has(routine, r.ruleId), `${name}: ${r.ruleId} traced`);
      // A phone shows a button's label on one line: every label fits (about 50 characters at 446 px).
      for (const label of s.keys()) assert.ok(label.length <= 46, `${name}: "${label}" is cut off on a phone`);
    }
    assert.ok(seen > 0, 'some conditions are only in the full checklist');
  });

  it('a crisis keeps "Call 999 now" and what to do now first; its contacts and routine part are collapsed', () => {
    const decision = decide('hillingdon', { ...HILLINGDON_17, initiatedBy: 'young_person', immediateRiskToLife: true, withinWorkingHours: false });
    const card = presentOutcome(viewOf(decision)) as any;
    assert.equal(card.body[0].items[0].text, 'Call 999 now');
    assert.equal(card.body[1].items[0].text, 'Do this now');
    assert.match(card.body[1].items[1].text, /^1\. \*\*If anyone is at immediate risk/);
    const s = sections(card);
    assert.deepEqual([...s.keys()].map((k) => k.replace(/\(.*/, '(…)').slice(0, 30)), ['For routine contact later: Wha', 'Why (…)', 'Who to contact (…)', 'Case note to copy']);
    assert.ok(has(s.get('Who to contact (3)'), '01895 250111'));
  });

  it('citations are short in the line ("Hillingdon 2.5"), full under Why ("HIL-2.5.discussed, clause 2.5")', () => {
    assert.equal(shortClause('2.5'), '2.5');
    assert.equal(shortClause('Policy Statement, paragraph 2; 2.3; 2.4'), 'Policy Statement, paragraph 2');
    assert.equal(shortClause('5.1; 5.2'), '5.1');
    assert.equal(shortClause('6.2.1 (Maintaining boundaries), bullet 2'), '6.2.1');
    assert.equal(shortClause('Bullet 9'), 'bullet 9');
    assert.equal(shortClause('Responsibilities, LCC Employees, bullet 4; Scope 1a'), 'Responsibilities, bullet 4');
    assert.equal(shortClause('Specific guidelines relating to the use of WhatsApp, paragraph 2'), 'Specific guidelines…, paragraph 2');
    assert.equal(shortClause('Document Control Information (Version 1, 02.04.20); bullets 3 and 4'), 'Document Control Information');
    assert.equal(shortCite({ ruleId: 'BASE-HOURS', citation: 'ChannelCheck baseline: the document sets no working-hours rule', baseline: true }, 'Leicester'), 'ChannelCheck baseline');

    const decision = decide('hillingdon', HILLINGDON_17);
    const card = presentOutcome(viewOf(decision)) as any;
    const first = firstScreen(card);
    assert.match(text(first), /Make the decision to use WhatsApp in discussion with the young person.*_\(Hillingdon 2\.5\)_/);
    assert.match(text(first), /Message to send: \*\*Opening message to young people[^"]*_\(Hillingdon 7\.4\)_/);
    assert.ok(!/HIL-|clause/.test(text(first)), 'no rule id or "clause" on the first screen');
    const why = sections(card).get('Why (1 reason)');
    assert.match(text(why), /HIL-2\.2\.allowed, clause 2\.2/);
    assert.match(text(why), /Hillingdon 2\.5: HIL-2\.5\.discussed, clause 2\.5/);
    assert.match(text(why), /Hillingdon Policy Statement, paragraph 2|Hillingdon, Policy Statement, paragraph 2: HIL-PS-2, clause Policy Statement, paragraph 2; 2\.3; 2\.4/);
    for (const { name, view } of all) {
      for (const line of texts({ body: firstScreen(presentOutcome(view)) })) assert.ok(!/\b[A-Z]{2,5}-[A-Z0-9.-]+, (clause|ChannelCheck baseline)/.test(line.text), `${name}: a full citation on the first screen: ${line.text}`);
    }

    // A decision recorded before packs had a short name: the council's name.
    const old = { ...decision, policy: { ...decision.policy, shortName: undefined } };
    const oldView = decisionViewOf(old, { caseNote: 'note' });
    assert.equal(oldView.policy.shortName, 'London Borough of Hillingdon');
    assert.match(text(firstScreen(presentOutcome(oldView))), /_\(London Borough of Hillingdon 2\.5\)_/);
    const { shortName: _none, ...queuedBefore } = oldView.policy;
    assert.match(text(firstScreen(presentOutcome({ ...oldView, policy: queuedBefore }))), /_\(London Borough of Hillingdon 2\.5\)_/, 'an outbox row queued before views carried it');
  });

  it('the headline and every text pass WCAG AA contrast in Teams\' light and dark themes; no text is coloured like its container', () => {
    let checked = 0;
    const views = [...all.map((x) => x.view), ...(['approved', 'declined'] as const).map((s) => viewOf(decide('hillingdon', { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'video_visit', teamsAvailable: false }), { approval: settledApproval(s, 'Lee Manager') }))];
    const styles = new Set<string>();
    for (const view of views) {
      const card = presentOutcome(view) as any;
      styles.add(card.body[0].style);
      assert.ok(['good', 'attention', 'warning', 'accent'].includes(card.body[0].style), 'the headline sits on a semantic container style');
      for (const t of texts(card)) {
        if (t.color !== 'default') assert.notEqual(t.color, t.style, `"${t.text.slice(0, 40)}": ${t.color} text on a ${t.style} container`);
        for (const theme of ['light', 'dark'] as const) {
          const ratio = textContrast(theme, t.style, t.color, t.subtle);
          assert.ok(ratio >= 4.5, `${theme}: "${t.text.slice(0, 50)}" (${t.color}${t.subtle ? ', subtle' : ''} on ${t.style}) has contrast ${ratio.toFixed(2)}`);
          checked++;
        }
      }
    }
    assert.deepEqual([...styles].sort(), ['accent', 'attention', 'good', 'warning'], 'every headline style was checked');
    assert.ok(checked > 1000);
    // The check can fail: the old headline, green text on the green container, does.
    assert.ok(textContrast('light', 'good', 'good', false) < 4.5 && textContrast('dark', 'warning', 'warning', false) < 4.5);
  });

  it('guidance and temporary guidance say so on the card; a policy needs no comment', () => {
    const cases = [
      ['leicester', { contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', serviceInScope: true }, 'Leicester City Council · Guidance, not a formal policy', 'guidance'],
      ['covid-2020', { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'share_documents' }, 'Temporary guidance: check it is still in force', 'temporary_guidance'],
      ['waltham-forest', { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'appointment', consent: 'given' }, 'London Borough of Waltham Forest · Guidance only, not enforceable', 'guidance_not_enforceable'],
      ['hillingdon', HILLINGDON_17, 'London Borough of Hillingdon', 'policy'],
    ] as const;
    for (const [council, facts, line, status] of cases) {
      const decision = decide(council, facts);
      const view = viewOf(decision);
      assert.equal(view.policy.status, status);
      assert.equal(view.policy.statusNote, decision.policy.statusNote);
      assert.equal(view.policy.shortName, decision.policy.shortName);
      const card = presentOutcome(view) as any;
      const source = card.body[0].items[1].text;
      assert.ok(source.endsWith(line), `${council}: "${source}"`);
      if (status === 'policy') assert.equal(source, 'London Borough of Hillingdon');
      else assert.ok(has(card, decision.policy.statusNote!), `${council}: the status warning`);
    }
    assert.match(text(welcomeCard(catalogue().councils.get('leicester')!)), /answers from Leicester City Council's guidance:/);
    assert.match(text(welcomeCard(catalogue().councils.get('hillingdon')!)), /answers from London Borough of Hillingdon's policy:/);
    assert.match(text(welcomeCard(null)), /answers from your council's policy or guidance:/);
  });

  it('the case note is one monospace block in its collapsed section, and says what the manager decided once they have', () => {
    const decision = decide('hillingdon', { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'video_visit', teamsAvailable: false });
    const caseNote = caseNoteText({ practitionerDisplayName: 'Pat Practitioner', createdAt: NOW, caseRef: 'CR-1', decision, approval: { status: 'approved', byName: 'Lee Manager', at: NOW, comment: 'Review next week' } });
    const card = presentOutcome(viewOf(decision, { caseNote, approval: settledApproval('approved', 'Lee Manager') })) as any;
    const section = sections(card).get('Case note to copy');
    const blocks: any[] = [];
    JSON.stringify(section, (_k, v) => (v && v.type === 'RichTextBlock' && blocks.push(v), v));
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0].inlines.length, 1, 'one run: it selects as one block');
    assert.deepEqual(blocks[0].inlines[0], { type: 'TextRun', text: caseNote, fontType: 'Monospace' });
    assert.match(caseNote, /Outcome: WhatsApp approved by the line manager, Lee Manager/);
    assert.ok(!has(firstScreen(card), caseNote));
  });

  it('the view carries the pack\'s names as people write them', () => {
    const names = [...catalogue().councils.values()].map((p) => decisionContent(evaluate(p, parseFacts(HILLINGDON_17))).policy);
    assert.deepEqual(names.map((p) => p.shortName).sort(), ['Covid-19 guidance', 'Hillingdon', 'Leicester', 'Waltham Forest', 'Warwickshire']);
    assert.ok(names.some((p) => p.council === 'Leicester City Council'));
    assert.equal(outcomeCardData(viewOf(decide('leicester', { ...HILLINGDON_17, serviceInScope: true }))).source, 'Leicester City Council · Guidance, not a formal policy');
  });
});
