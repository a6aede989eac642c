/**
 * End to end in the real client: the Microsoft 365 Agents Playground's web UI in Chromium, driving the bot
 * built and started as `npm start` does (once per council: CHANNELCHECK_COUNCIL). A practitioner completes a check for each of the five councils (an
 * under-16 case and a safeguarding case among them); a line manager, in a second Playground, receives and
 * approves an approval request and receives the urgent safeguarding alert and a same-day incident notice; a
 * crisis answer leads with "Call 999 now"; a consent YES goes into the consent register and a later
 * withdrawal from `my checks` turns the next check for the case into no WhatsApp; a refused step keeps what was
 * given and takes the correction; `cancel` stops a check; a manager types `approvals`. The Playground draws cards
 * 446 px wide, a phone's width: each outcome card's first screen (its top 800 px) and the card with every section
 * opened are screenshotted, and a typical "allowed" card's first screen is measured to hold the headline, the
 * first condition and the script. Screenshots of each step go to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { parseFacts } from '../../src/domain/facts';
import { evaluate } from '../../src/domain/policy/evaluate';
import { QUESTIONS, type QuestionId } from '../../src/domain/wizard/questions';
import { catalogue } from '../support/policies';
import { assertOffline, bottomsFromTop, cards, cardShot, FIRST_SCREEN_PX, firstScreenShot, MANAGER_PORT, openSections, PlaygroundRig, PRACTITIONER_PORT, say, shot } from './playgroundHarness';

type Answers = Partial<Record<QuestionId, string | number | boolean | null>>;

/** Sets every question the card shows that `answers` has an answer for, the way a person would. */
async function fillStep(page: Page, card: Locator, answers: Answers): Promise<void> {
  for (const [id, value] of Object.entries(answers) as Array<[QuestionId, Answers[QuestionId]]>) {
    const q = QUESTIONS[id];
    const t = q.type;
    if (t.kind === 'toggle') {
      // The accessible name joins the input's label and its title ("Safeguarding New information ...").
      const box = card.getByRole('checkbox', { name: new RegExp(escape(t.title)) });
      if ((await box.count()) > 0) {
        await box.setChecked(value === true);
        assert.equal(await box.isChecked(), value === true, `${id} did not take ${String(value)}`);
      }
    } else if (t.kind === 'choice' || t.kind === 'yesNoUnknown') {
      const v = t.kind === 'choice' ? String(value) : value === true ? 'yes' : value === false ? 'no' : 'unknown';
      const group = card.getByRole('radiogroup', { name: new RegExp(`^${escape(q.label)}`) });
      if ((await group.count()) > 0) {
        await group.locator(`input[type=radio][value="${v}"]`).check();
        continue;
      }
      const combo = card.getByRole('combobox', { name: new RegExp(`^${escape(q.label)}`) });
      if ((await combo.count()) > 0 && t.kind === 'choice') {
        await combo.click();
        await page.getByRole('option', { name: t.choices.find((c) => c.value === v)!.title, exact: true }).click();
      }
    } else if (t.kind === 'age') {
      const input = card.getByLabel(q.label);
      if ((await input.count()) > 0) await input.fill(String(value));
    } else if (t.kind === 'caseRef') {
      const input = card.getByPlaceholder('e.g. CR-102938');
      if ((await input.count()) > 0 && typeof value === 'string') await input.fill(value);
    }
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Clicks the card's Next / Get the answer and waits for the card to change in place; returns the card now shown. */
async function next(page: Page, card: Locator): Promise<Locator> {
  const before = await card.innerText();
  await card.getByRole('button', { name: /^(Next|Get the answer)$/ }).click();
  // The card is replaced in place by the invoke response: wait for its text to change.
  await page.waitForFunction(
    ([prev]) => {
      // Runs in the page.
      const all = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ innerText: string }> } }).document.querySelectorAll('.ac-adaptiveCard');
      const last = all[all.length - 1];
      return !!last && last.innerText !== prev;
    },
    [before],
    { timeout: 20_000 },
  );
  return cards(page).last();
}

interface CheckOptions {
  /** Open every collapsed section and screenshot the whole card (default true). */
  expand?: boolean;
  /** Wait for the card to say this before looking at it further (an in-place update, e.g. the alert delivered). */
  settled?: RegExp;
  /** Called with the outcome card before any section is opened. */
  onFirstScreen?: (card: Locator) => Promise<void>;
}

interface CheckResult {
  /** The outcome card's text as first answered. */
  initial: string;
  /** Its text once settled, sections closed: what the first screen and the section buttons say. */
  first: string;
  /** Its text with every section opened (`first` when not expanded). */
  text: string;
  card: Locator;
}

/** Card heights at 446 px, for the record: the card as answered (sections closed) and with every section open. */
const heights: string[] = [];

/**
 * Types "new check", answers every step and returns the outcome card. Screenshots each step, the outcome's first
 * screen (`<name>-outcome-first-screen`) and, opened, the whole card (`<name>-outcome-expanded`).
 */
async function runCheck(page: Page, council: string, answers: Answers, options: CheckOptions = {}): Promise<CheckResult> {
  await say(page, 'new check');
  let card = cards(page).filter({ hasText: 'About the contact' }).last();
  await card.waitFor({ timeout: 20_000 });
  for (let step = 1; step <= 8; step++) {
    const before = await card.innerText();
    await fillStep(page, card, answers);
    await shot(page, `${council}-${String(step).padStart(2, '0')}-${(before.split('\n')[0] ?? 'step').toLowerCase().replace(/[^a-z]+/g, '-').replace(/-$/, '')}`);
    card = await next(page, card);
    const text = await card.innerText();
    assert.doesNotMatch(text, /Please check (the answer|\d+ answers)/, `step ${step} was refused:\n${text}`);
    if (!/Get the answer|Next/.test(await card.getByRole('button').allInnerTexts().then((b) => b.join(' ')))) {
      // fillStep skips a question whose input it cannot find: the case reference on the outcome shows it was typed.
      if (typeof answers.caseRef === 'string') assert.ok(text.includes(answers.caseRef), `${council}: the outcome does not name case ${answers.caseRef}:\n${text}`);
      // The outcome card, found again by what only it says, wherever later messages put it.
      const outcome = cards(page).filter({ hasText: 'Case note to copy' }).filter({ hasText: typeof answers.caseRef === 'string' ? answers.caseRef : 'Case note to copy' }).last();
      if (options.settled) await outcome.filter({ hasText: options.settled }).waitFor({ timeout: 30_000 });
      const first = await outcome.innerText();
      await firstScreenShot(outcome, `${council}-outcome-first-screen`);
      await options.onFirstScreen?.(outcome);
      const closed = (await outcome.boundingBox())?.height ?? 0;
      if (options.expand === false) {
        heights.push(`${council}: ${Math.round(closed)} px with its sections closed`);
        return { initial: text, first, text: first, card: outcome };
      }
      await openSections(outcome);
      await outcome.getByText('Case-note summary to paste into the case record').waitFor({ timeout: 10_000 });
      const opened = (await outcome.boundingBox())?.height ?? 0;
      heights.push(`${council}: ${Math.round(closed)} px with its sections closed, ${Math.round(opened)} px with every section open`);
      await cardShot(outcome, `${council}-outcome-expanded`);
      return { initial: text, first, text: await outcome.innerText(), card: outcome };
    }
  }
  throw new Error(`${council}: the wizard did not finish in 8 steps`);
}

const BASE: Answers = {
  initiatedBy: 'practitioner',
  immediateRiskToLife: false,
  safeguardingConcern: false,
  device: 'work_issued',
  account: 'work',
  teamsAvailable: true,
  consent: 'given',
  withinWorkingHours: true,
  riskPhoneAccessByAbuser: false,
  sensitiveContent: false,
  inappropriateContentReceived: false,
  dataIncident: false,
  practitionerUncertain: false,
};

describe('end to end in the Microsoft 365 Agents Playground (Chromium)', function () {
  this.timeout(180_000);
  const rig = new PlaygroundRig();

  before(async function () {
    this.timeout(240_000);
    assertOffline();
    rig.build();
    await rig.startBot('hillingdon');
    await rig.startPlaygrounds();
    await rig.startBrowser();
    await rig.open(rig.manager, MANAGER_PORT);
    await rig.open(rig.practitioner, PRACTITIONER_PORT);
  });

  after(async function () {
    process.stdout.write(`\nOutcome card heights at 446 px:\n${heights.map((h) => `  ${h}`).join('\n')}\n`);
    if (this.currentTest?.state === 'failed') process.stdout.write(rig.logs());
    await rig.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await shot(rig.practitioner, `failed-practitioner`).catch(() => undefined);
      await shot(rig.manager, `failed-manager`).catch(() => undefined);
      process.stdout.write(rig.logs());
    }
  });

  it('Hillingdon: a 17-year-old, keeping in touch: allowed with conditions, the 7.4 opening message, all on the first screen', async () => {
    const answers = { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', caseRef: 'CR-40117', age: 17 };
    // What the card must show, from the pack itself: the headline, the first condition and the script.
    const { caseRef: _case, ...facts } = answers;
    const decision = evaluate(catalogue().councils.get('hillingdon')!, parseFacts(facts));
    const wanted = [decision.headline, decision.conditions[0]!.text.slice(0, 60), decision.scripts[0]!.text.slice(0, 60)];
    const { first, text } = await runCheck(rig.practitioner, 'hillingdon', answers, {
      onFirstScreen: async (card) => {
        const { cardHeight, bottoms } = await bottomsFromTop(card, wanted);
        heights.push(`hillingdon first screen: headline ends at ${bottoms[0]} px, first condition at ${bottoms[1]} px, script at ${bottoms[2]} px (card ${cardHeight} px)`);
        wanted.forEach((w, i) => {
          assert.ok(bottoms[i] !== null, `"${w}" is not shown before any section is opened`);
          assert.ok(bottoms[i]! <= FIRST_SCREEN_PX, `"${w}" ends ${bottoms[i]} px from the card's top: below the first screen (${FIRST_SCREEN_PX} px)`);
        });
      },
    });
    assert.match(first, /WhatsApp is allowed, with conditions/);
    assert.match(first, /\(Hillingdon 2\.5\)/, 'short citations in the line');
    assert.doesNotMatch(first, /HIL-PS-2, clause/, 'full citations only under Why');
    assert.match(first, /Why \(1 reason\)/);
    assert.match(first, /Full checklist \(10\)/);
    assert.match(text, /HIL-PS-2, clause Policy Statement, paragraph 2/);
    assert.match(text, /I need to make you aware that there may be a need to share information to ensure you or others are safe\./);
    assert.match(text, /case file running record/);
  });

  it('Hillingdon: video with a parent who cannot use Teams needs approval; the line manager approves and the practitioner\'s card changes', async () => {
    const { first, text } = await runCheck(rig.practitioner, 'hillingdon-approval', { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', caseRef: 'CR-40118', teamsAvailable: false });
    assert.match(first, /Ask your line manager before using WhatsApp/);
    assert.match(text, /HIL-3\.3, clause 3\.3/);
    assert.match(first, /approval request is being sent to your line manager Lee Manager/);

    const approval = cards(rig.manager).filter({ hasText: 'Approval needed: Pat Practitioner' }).last();
    await approval.waitFor({ timeout: 30_000 });
    await firstScreenShot(approval, 'manager-01-approval-request-first-screen');
    await cardShot(approval, 'manager-01-approval-request');

    // The manager asks what is waiting for them: the request is there, and opens.
    await say(rig.manager, 'approvals');
    const waiting = cards(rig.manager).filter({ hasText: 'Waiting for you' }).last();
    await waiting.waitFor({ timeout: 20_000 });
    assert.match(await waiting.innerText(), /Waiting for your approval/);
    assert.match(await waiting.innerText(), /CR-40118/);
    await cardShot(waiting, 'manager-01-approvals-waiting');
    await approval.getByLabel('Comment for the practitioner (optional)').fill('Agreed for video this week; review next supervision.');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await cards(rig.manager).filter({ hasText: 'Approved by Lee Manager' }).last().waitFor({ timeout: 20_000 });
    await shot(rig.manager, 'manager-02-approved');

    const updated = cards(rig.practitioner).filter({ hasText: 'Approved by Lee Manager' }).last();
    await updated.waitFor({ timeout: 30_000 });
    await cardShot(updated, 'hillingdon-approval-outcome-updated');
    await rig.practitioner.getByText(/Lee Manager approved your request to use WhatsApp/).first().waitFor({ timeout: 30_000 });
    await shot(rig.practitioner, 'hillingdon-approval-updated');
  });

  it('Hillingdon crisis: at 11pm a 17-year-old says she has taken tablets: "Call 999 now" first, routine items folded away', async () => {
    // The card is updated in place when the alert reaches the line manager: wait for that before opening anything,
    // or the update would close what was opened.
    const { first: text, card } = await runCheck(rig.practitioner, 'hillingdon-crisis', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', initiatedBy: 'young_person', caseRef: 'CR-40119', age: 17, immediateRiskToLife: true, withinWorkingHours: false }, { expand: false, settled: /Delivered to your line manager Lee Manager at/ });
    assert.match(text, /^Call 999 now/);
    assert.ok(text.indexOf('Do this now') > 0 && text.indexOf('Do this now') < text.indexOf('Who to contact'), 'what to do now comes first');
    assert.match(text, /If anyone is at immediate risk or there is a risk to life, call 999 first\./);
    assert.match(text, /EDT on 01895 250111/);
    assert.doesNotMatch(text, /Switch your location services off|Set your WhatsApp status|I need to make you aware/, 'routine items are not shown in a crisis');
    await card.getByRole('button', { name: /^For routine contact later/ }).click();
    await card.getByText('Switch your location services off.').first().waitFor({ timeout: 10_000 });
    await openSections(card, /^For routine contact later/);
    await card.getByText('Case-note summary to paste into the case record').waitFor({ timeout: 10_000 });
    heights.push(`hillingdon-crisis: ${Math.round((await card.boundingBox())?.height ?? 0)} px with every section open`);
    assert.match(await card.innerText(), /01895 250111/);
    await cardShot(card, 'hillingdon-crisis-outcome-expanded');
  });

  it('Hillingdon: a step refused for a name given as the case reference keeps every answer, takes the correction, and "cancel" stops the check', async () => {
    const page = rig.practitioner;
    await say(page, 'new check');
    let card = cards(page).filter({ hasText: 'About the contact' }).last();
    await card.waitFor({ timeout: 20_000 });
    await fillStep(page, card, { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch' });
    card = await next(page, card);
    await fillStep(page, card, { age: 15, caseRef: 'Jane Smith' });
    card = await next(page, card);
    assert.match(await card.innerText(), /Please check the answer marked below/);
    assert.match(await card.innerText(), /Case reference/);
    assert.equal(await card.getByPlaceholder('e.g. CR-102938').inputValue(), 'Jane Smith', 'what was typed is there to correct');
    assert.equal(await card.getByLabel(QUESTIONS.age.label).inputValue(), '15', 'the good answer on the step is kept');
    await shot(page, 'wizard-refused');
    await card.getByPlaceholder('e.g. CR-102938').fill('CR-40120');
    card = await next(page, card);
    const third = await card.innerText();
    assert.doesNotMatch(third, /Please check/);
    assert.match(third, /How you would contact them/);

    await say(page, 'cancel');
    await cards(page).filter({ hasText: 'Check cancelled' }).last().waitFor({ timeout: 20_000 });
    await cards(page).filter({ hasText: 'This check was cancelled' }).last().waitFor({ timeout: 20_000 });
    assert.equal(await cards(page).filter({ hasText: 'How you would contact them' }).count(), 0, 'the check\'s card is replaced');
    await shot(page, 'wizard-cancelled');
  });

  it('Waltham Forest: a 14-year-old: no direct WhatsApp, contact through the parent (WF-G5)', async () => {
    await rig.startBot('waltham-forest');
    const { text } = await runCheck(rig.practitioner, 'waltham-forest', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', caseRef: 'WF-2291', age: 14, parentalConsent: null, managerAgreement: null });
    assert.match(text, /Do not use WhatsApp for this contact/);
    assert.match(text, /WF-G5/);
    assert.match(text, /parent or legal guardian/);
  });

  it('Waltham Forest: a parent, appointment, consent not yet asked: the consent script exactly as the guidance writes it', async () => {
    const { first, text, card } = await runCheck(rig.practitioner, 'waltham-forest-consent', { ...BASE, contactType: 'parent_carer', purpose: 'appointment', caseRef: 'WF-2292', consent: 'not_asked' });
    assert.match(first, /WhatsApp is allowed, with conditions/);
    assert.match(text, /WF-G11/);
    assert.ok(first.includes('Please note that we will be communicating with you using WhatsApp.'), 'the consent script, on the first screen');
    assert.ok(first.includes('If you agree to use using WhatsApp please respond to this chat with "YES".'), 'its last sentence, typo and "YES" included');
    assert.match(first, /Guidance only, not enforceable/);

    // They replied YES: recorded in the consent register against the case.
    await card.getByRole('button', { name: 'They replied YES' }).click();
    const recorded = cards(rig.practitioner).filter({ hasText: 'Consent register: Consent given' }).last();
    await recorded.waitFor({ timeout: 20_000 });
    await cardShot(recorded, 'waltham-forest-consent-recorded');
  });

  it('Waltham Forest: later they withdraw consent from my checks, and the next check for the case says no WhatsApp', async () => {
    await say(rig.practitioner, 'my checks');
    const list = cards(rig.practitioner).filter({ hasText: 'Your recent checks' }).last();
    await list.waitFor({ timeout: 20_000 });
    await list.getByRole('button', { name: 'They withdrew consent' }).first().click();
    await cards(rig.practitioner).filter({ hasText: 'Consent withdrawal recorded for case WF-2292' }).last().waitFor({ timeout: 20_000 });
    await shot(rig.practitioner, 'waltham-forest-consent-withdrawn');
    const { consent: _asked, ...withoutConsent } = BASE;
    const { text } = await runCheck(rig.practitioner, 'waltham-forest-after-withdrawal', { ...withoutConsent, contactType: 'parent_carer', purpose: 'appointment', caseRef: 'WF-2292' });
    assert.match(text, /Do not use WhatsApp for this contact/);
    assert.match(text, /Consent register: Consent withdrawn/);
  });

  it('Leicester: a safeguarding concern: escalation, and the line manager gets the urgent alert and acknowledges it', async () => {
    await rig.startBot('leicester');
    const { initial, first, text } = await runCheck(rig.practitioner, 'leicester', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', caseRef: 'LCC-7781', age: 17, safeguardingConcern: true, serviceInScope: true }, { settled: /Delivered to your line manager Lee Manager at/ });
    assert.match(first, /Safeguarding: act now and tell your line manager/);
    assert.match(first, /Leicester City Council · Guidance, not a formal policy/, 'the paper is guidance, and the card says so');
    assert.match(first, /\(ChannelCheck baseline\)/);
    assert.match(text, /BASE-SAFEGUARDING, ChannelCheck baseline/, 'Leicester\'s paper gives no safeguarding route: the baseline speaks, marked as such');
    assert.match(initial, /urgent safeguarding alert is being sent to your line manager Lee Manager.*: queued, not yet delivered/);

    const alert = cards(rig.manager).filter({ hasText: 'URGENT: safeguarding alert' }).last();
    await alert.waitFor({ timeout: 30_000 });
    await cardShot(alert, 'manager-03-safeguarding-alert');
    await alert.getByRole('button', { name: /Acknowledge/ }).click();
    await cards(rig.manager).filter({ hasText: 'Acknowledged by Lee Manager' }).last().waitFor({ timeout: 20_000 });
    await rig.practitioner.getByText(/Lee Manager acknowledged your safeguarding alert/).first().waitFor({ timeout: 30_000 });
    await shot(rig.practitioner, 'leicester-acknowledged');
  });

  it('Leicester incident: a parent\'s details went to the wrong contact: report it first, the manager is told the same day', async () => {
    const { first: text } = await runCheck(rig.practitioner, 'leicester-incident', { ...BASE, contactType: 'parent_carer', purpose: 'keep_in_touch', caseRef: 'LCC-7782', dataIncident: true, serviceInScope: true });
    assert.match(text, /^Report an information incident now/);
    assert.match(text, /Report the incident now to Information-Security-Incidents@leicester\.gov\.uk/);
    assert.ok(text.indexOf('Information-Security-Incidents') < text.indexOf('Do not delete the conversation until your manager advises'), 'the route first');
    assert.match(text, /ICO within 72 hours/);
    assert.doesNotMatch(text, /Make the phone available for a manager's spot check/, 'routine checklist folded away');
    await rig.manager.getByText(/Information incident, for action today: Pat Practitioner/).first().waitFor({ timeout: 30_000 });
    await shot(rig.manager, 'manager-04-incident-notice');
  });

  it('Warwickshire: a parent video visit before the manager has agreed virtual visits (4.1)', async () => {
    await rig.startBot('warwickshire');
    const { text } = await runCheck(rig.practitioner, 'warwickshire', { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', caseRef: 'WCC-5120', managerAgreement: null });
    assert.match(text, /Ask your line manager before using WhatsApp/);
    assert.match(text, /WAR-4\.1/);
  });

  it('Covid-19 guidance: a court report to a parent is never sent by WhatsApp, and the guidance is flagged as temporary', async () => {
    await rig.startBot('covid-2020');
    const { first, text } = await runCheck(rig.practitioner, 'covid-2020', { ...BASE, contactType: 'parent_carer', purpose: 'share_documents', caseRef: 'MOS-33012' });
    assert.match(first, /Do not use WhatsApp for this contact/);
    assert.match(text, /COV-9/);
    assert.match(first, /Temporary guidance: check it is still in force/);
  });
});
