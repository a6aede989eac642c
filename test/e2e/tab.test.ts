/**
 * The tab (My checks, Approvals, Policy) in Debian's Chromium against the real server, inside a loopback-only
 * network namespace. The bot is spoken to over HTTP as Teams does; the fake Bot Connector shows what it
 * sends. Screenshots of each view in light and dark themes go to docs/screenshots/tab-*.png.
 */
import assert from 'node:assert/strict';
import { assertOffline } from './playgroundHarness';
import type { Page } from 'playwright-core';
import { actionData, answersFor, cardText } from '../bot/botHarness';
import { describeViolations, type Person, PEOPLE, seriousViolations, TabRig, tabShot, TENANT, THEMES } from './tabHarness';

const BASE = { initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };
const NEEDS_APPROVAL = { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false, caseRef: 'CR-71001' };
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-71002' };
const ALLOWED = { ...BASE, contactType: 'young_person', age: 17, purpose: 'keep_in_touch', caseRef: 'CR-71003' };

/** A whole check through the bot, as Teams sends it: `new check`, each wizard step answered; the outcome card. */
async function checkThroughBot(rig: TabRig, who: Person, facts: Record<string, unknown>): Promise<any> {
  await rig.message(who, 'new check');
  let card = rig.cardsTo(who).at(-1)!.card;
  for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
    card = (await rig.invoke(who, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, facts) })).body.value;
  }
  return card;
}

const focused = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.textContent');

describe('tab: outside Teams, and sign-in', function () {
  this.timeout(180_000);
  const rig = new TabRig();

  before(async () => {
    assertOffline();
    TabRig.build();
    await rig.start({ devSignIn: false });
  });
  after(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(rig.serverLog());
    await rig.close();
  });

  it('says clearly, outside Teams, that it must be opened in Teams', async () => {
    const page = await rig.open(null, 'my-checks');
    await page.getByRole('heading', { name: 'Open ChannelCheck in Microsoft Teams' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#nav').isHidden(), true, 'no views without a sign-in');
    assert.deepEqual(await seriousViolations(page), []);
    await tabShot(page, 'tab-outside-teams');
    await page.close();
  });

  it('in Teams: initialises teams-js, signs in with the Teams SSO token, takes the theme from the context and follows its changes', async () => {
    const { page, tab, setTheme, messages } = await rig.openInTeams(PEOPLE.lee, 'policy', 'dark');
    await tab.getByRole('heading', { name: 'Clause by clause' }).waitFor({ timeout: 20_000 });
    assert.match((await tab.locator('#who').textContent()) ?? '', /^Signed in as Lee Manager$/, 'the name comes from the Teams context; no development sign-in');
    assert.equal(await tab.evaluate('document.documentElement.dataset.theme'), 'dark');
    const sent = await messages();
    for (const f of ['initialize', 'getContext', 'authentication.getAuthToken']) assert.ok(sent.includes(f), `the page asked Teams for ${f} (${sent.join(', ')})`);
    await setTheme('contrast');
    await tab.locator('html[data-theme="contrast"]').waitFor({ state: 'attached' });
    assert.deepEqual(await seriousViolations(tab), []);
    await setTheme('default');
    await tab.locator('html[data-theme="default"]').waitFor({ state: 'attached' });
    await page.close();
  });

  it('in Teams with a token the server refuses: says so, and shows no data', async () => {
    const expired = await rig.entra.token(PEOPLE.pat.aadObjectId, TENANT, { expiresInSeconds: -3600 });
    const { page, tab } = await rig.openInTeams(PEOPLE.pat, 'policy', 'default', expired);
    await tab.getByRole('alert').waitFor({ timeout: 20_000 });
    assert.match((await tab.getByRole('alert').textContent()) ?? '', /no longer signed in/);
    assert.equal(await tab.getByRole('heading', { name: 'Clause by clause' }).count(), 0);
    await page.close();
  });

  it('answers 401 to a forged, expired, wrong-audience or wrong-tenant token, and data to a valid one (from the page)', async () => {
    const page = await rig.open(null, 'policy');
    const status = (token: string) =>
      page.evaluate(async (t) => (await fetch('/api/tab/me', { headers: { Authorization: `Bearer ${t}` } })).status, token);
    const pat = PEOPLE.pat.aadObjectId;
    assert.equal(await status(await rig.entra.token(pat, TENANT, { signWith: 'other' })), 401, 'forged');
    assert.equal(await status(await rig.entra.token(pat, TENANT, { expiresInSeconds: -3600 })), 401, 'expired');
    assert.equal(await status(await rig.entra.token(pat, TENANT, { claims: { aud: 'api://someone-else' } })), 401, 'wrong audience');
    assert.equal(await status(await rig.entra.token(pat, '22222222-2222-2222-2222-222222222222')), 401, 'wrong tenant');
    assert.equal(await status(await rig.entra.token(pat, TENANT)), 200, 'valid');
    assert.equal(await page.evaluate(async () => (await fetch('/api/tab/policy')).status), 401, 'no token at all');
    assert.equal(await page.evaluate(async () => (await fetch('/api/tab/dev/people')).status), 401, 'the development sign-in is off');
    await page.close();
  });
});

describe('tab: the views, signed in with the local development sign-in', function () {
  this.timeout(300_000);
  const rig = new TabRig();

  before(async () => {
    assertOffline();
    await rig.start({ devSignIn: true });
  });
  after(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(rig.serverLog());
    await rig.close();
  });

  it('shows the council\'s policy clause by clause with its status and the baselines that fill its silences', async () => {
    const page = await rig.open(PEOPLE.pat, 'policy');
    await page.getByRole('heading', { name: /London Borough of Hillingdon/ }).waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Clause by clause' }).waitFor();
    assert.ok((await page.getByRole('list', { name: 'Clauses' }).getByRole('listitem').count()) > 10);
    await page.getByText('Clause 2.2', { exact: false }).first().waitFor();
    assert.ok((await page.getByRole('list', { name: 'Baselines that fill the silences' }).getByRole('listitem').count()) > 0);
    await page.getByText('Council policy').first().waitFor();
    assert.match((await page.locator('#who').textContent()) ?? '', /Pat Practitioner/);
    await page.close();
  });

  for (const theme of THEMES) {
    it(`passes an axe-core scan of the Policy view in the ${theme} theme, and works at phone width`, async () => {
      const page = await rig.open(PEOPLE.pat, 'policy', theme);
      await page.getByRole('heading', { name: 'Clause by clause' }).waitFor({ timeout: 15_000 });
      assert.equal(await page.evaluate('document.documentElement.dataset.theme'), theme);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], describeViolations(violations));
      if (theme !== 'contrast') await tabShot(page, `tab-policy-${theme === 'default' ? 'light' : 'dark'}`);
      await page.setViewportSize({ width: 360, height: 740 });
      assert.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'), 'no sideways scrolling at 360 px');
      await page.close();
    });
  }

  it('can be used with the keyboard alone: skip link, then the views in order', async () => {
    const page = await rig.open(PEOPLE.pat, 'policy');
    await page.getByRole('heading', { name: 'Clause by clause' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'My checks');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Approvals');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Approvals' }).getAttribute('aria-current'), 'page');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'content', 'focus moves to the new view');
    await page.close();
  });
});

describe('tab: My checks and Approvals, with decisions made through the bot', function () {
  this.timeout(300_000);
  const rig = new TabRig();
  const decisionOf: Record<string, string> = {};

  before(async () => {
    assertOffline();
    await rig.start({ devSignIn: true });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.jo, PEOPLE.sam, PEOPLE.alex]) assert.equal((await rig.install(p)).status, 200);
    for (const [name, facts] of Object.entries({ allowed: ALLOWED, approval: NEEDS_APPROVAL, alert: SAFEGUARDING })) {
      const card = await checkThroughBot(rig, PEOPLE.pat, facts);
      const id = /"decisionId":"([0-9a-f-]+)"/.exec(cardText(card))?.[1] ?? rig.decisionIds().at(-1);
      assert.ok(id, `${name}: the outcome names its decision`);
      decisionOf[name] = id;
    }
    await rig.until('the approval card and the alert reach the line manager', () => rig.cardsTo(PEOPLE.lee).length >= 2);
  });
  after(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(rig.serverLog());
    await rig.close();
  });

  it('shows a decision made through the bot in the practitioner\'s My checks, with its status and its case note', async () => {
    const page = await rig.open(PEOPLE.pat, 'my-checks');
    const list = page.getByRole('list', { name: 'Your recent checks' });
    await list.waitFor({ timeout: 20_000 });
    const item = (name: string) => list.locator(`li[data-decision-id="${decisionOf[name]}"]`);
    assert.equal(await list.locator(':scope > li').count(), 3);
    await item('allowed').locator('dd', { hasText: 'CR-71003' }).waitFor();
    assert.equal(await item('approval').locator('.badge').textContent(), 'Approval pending');
    assert.equal(await item('alert').locator('.badge').textContent(), 'Alert not yet acknowledged');
    const note = (await item('allowed').getByLabel('Case note').textContent()) ?? '';
    assert.match(note, /CR-71003/, 'the case note names the case');
    await item('allowed').getByRole('button', { name: 'Copy case note' }).click();
    await page.getByText(/Case note copied|The case note is selected/).waitFor();
    await item('allowed').getByText('Show the outcome card').click();
    await item('allowed').locator('.ac-adaptiveCard').waitFor();
    const headline = (await item('allowed').locator('h2').textContent()) ?? '';
    assert.ok(((await item('allowed').locator('.ac-adaptiveCard').textContent()) ?? '').toLowerCase().includes(headline.toLowerCase()), 'the outcome card, from the bot\'s own template, shows the decision');
    await page.close();
  });

  for (const theme of THEMES) {
    it(`passes an axe-core scan of My checks and Approvals in the ${theme} theme, with cards open, and works at phone width`, async () => {
      for (const [who, view, ready] of [[PEOPLE.pat, 'my-checks', 'Your recent checks'], [PEOPLE.lee, 'approvals', 'Approval requests, oldest first']] as const) {
        const page = await rig.open(who, view, theme);
        await page.getByRole('list', { name: ready }).waitFor({ timeout: 20_000 });
        const disclosures = await page.locator('details > summary').all();
        for (const summary of disclosures) await summary.click();
        if (disclosures.length > 0) await page.locator('details .ac-adaptiveCard').nth(disclosures.length - 1).waitFor({ timeout: 20_000 });
        const violations = await seriousViolations(page);
        assert.deepEqual(violations, [], `${view}: ${describeViolations(violations)}`);
        for (const summary of disclosures) await summary.click();
        if (theme !== 'contrast') await tabShot(page, `tab-${view}-${theme === 'default' ? 'light' : 'dark'}`);
        await page.setViewportSize({ width: 360, height: 740 });
        assert.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'), `${view}: no sideways scrolling at 360 px`);
        await page.close();
      }
    });
  }

  it('never shows another team\'s records, even when ids are edited into the requests', async () => {
    const outsider = await rig.devToken(PEOPLE.alex);
    const head = await rig.devToken(PEOPLE.sam);
    const approvalId = rig.approvalIdFor(decisionOf.approval!);
    const escalationId = rig.escalationIdFor(decisionOf.alert!);
    const page = await rig.open(PEOPLE.alex, 'my-checks');
    await page.getByRole('heading', { name: 'My checks', level: 1 }).waitFor({ timeout: 20_000 });
    const call = (token: string, method: string, path: string) =>
      page.evaluate(
        async ([t, m, p]) => {
          const res = await fetch(`/api/tab/${p}`, { method: m, headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' }, ...(m === 'POST' ? { body: '{}' } : {}) });
          return { status: res.status, text: await res.text() };
        },
        [token, method, path] as const,
      );
    for (const id of Object.values(decisionOf)) {
      const r = await call(outsider, 'GET', `records/${id}`);
      assert.ok([403, 404].includes(r.status), `records/${id}: ${r.status}`);
      assert.doesNotMatch(r.text, /CR-7100|Pat Practitioner/);
    }
    for (const [token, path] of [[outsider, `approvals/${approvalId}/approve`], [outsider, `alerts/${escalationId}/acknowledge`], [await rig.devToken(PEOPLE.pat), `approvals/${approvalId}/approve`], [head, `approvals/${approvalId}/decline`]] as const) {
      const r = await call(token, 'POST', path);
      assert.equal(r.status, 403, `${path}: ${r.text}`);
      assert.doesNotMatch(r.text, /CR-7100/);
    }
    for (const path of ['my-checks', 'approvals']) assert.doesNotMatch((await call(outsider, 'GET', path)).text, /CR-7100|Pat Practitioner/, path);
    assert.equal(rig.approvalStatus(approvalId), 'open', 'nothing was settled');
    await page.close();
  });

  it('the line manager approves a pending request in the tab: the record, the practitioner\'s card and message change', async () => {
    const page = await rig.open(PEOPLE.lee, 'approvals');
    const item = page.locator(`li[data-approval-id="${rig.approvalIdFor(decisionOf.approval!)}"]`);
    await item.waitFor({ timeout: 20_000 });
    assert.match((await item.locator('.badge').textContent()) ?? '', /^Waiting (less than a minute|\d+ minutes?)/);
    await item.getByLabel('Comment (optional)').fill('Fine for this visit only.');
    const cardsBefore = rig.cardsTo(PEOPLE.pat).length;
    await item.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved. Pat Practitioner has been told.').waitFor({ timeout: 20_000 });
    await item.waitFor({ state: 'detached' });
    assert.equal(rig.approvalStatus(rig.approvalIdFor(decisionOf.approval!)), 'approved');
    await rig.until('the practitioner\'s outcome card is updated', () => rig.cardsTo(PEOPLE.pat).slice(cardsBefore).some((c) => c.call.operation === 'updateActivity' && /Approved by your line manager/.test(cardText(c.card))));
    await rig.until('the practitioner is told', () => rig.textsTo(PEOPLE.pat).some((t) => /Lee Manager approved your request.*Fine for this visit only/.test(t)));
    await rig.until('the manager\'s own approval card shows it settled', () => rig.cardsTo(PEOPLE.lee).some((c) => c.call.operation === 'updateActivity' && /Approved/.test(cardText(c.card)) && !/approval\.approve/.test(cardText(c.card))));
    const mine = await rig.open(PEOPLE.pat, 'my-checks');
    const entry = mine.locator(`li[data-decision-id="${decisionOf.approval}"]`);
    await entry.waitFor({ timeout: 20_000 });
    assert.equal(await entry.locator('.badge').textContent(), 'Approved by Lee Manager');
    await mine.close();
    await page.close();
  });

  it('the line manager acknowledges an alert in the tab, and the escalation timer stops', async () => {
    const escalationId = rig.escalationIdFor(decisionOf.alert!);
    assert.ok(rig.pendingTimers(escalationId) > 0, 'the escalation timer is running');
    const page = await rig.open(PEOPLE.lee, 'approvals');
    const item = page.locator(`li[data-escalation-id="${escalationId}"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Alert acknowledged. Pat Practitioner has been told.').waitFor({ timeout: 20_000 });
    assert.equal(rig.escalationStatus(escalationId), 'acknowledged');
    assert.equal(rig.pendingTimers(escalationId), 0, 'no escalation timer is left to fire');
    await rig.until('the practitioner is told', () => rig.textsTo(PEOPLE.pat).some((t) => /Lee Manager acknowledged your safeguarding alert/.test(t)));
    await rig.until('every copy of the alert shows it acknowledged', () => rig.cardsTo(PEOPLE.lee).some((c) => c.call.operation === 'updateActivity' && /acknowledged/i.test(cardText(c.card))));
    await page.close();
    const mine = await rig.open(PEOPLE.pat, 'my-checks');
    const entry = mine.locator(`li[data-decision-id="${decisionOf.alert}"]`);
    await entry.waitFor({ timeout: 20_000 });
    assert.equal(await entry.locator('.badge').textContent(), 'Alert acknowledged by Lee Manager');
    await mine.close();
  });
});
