/**
 * The tab (My checks, Approvals, Policy) in Debian's Chromium against the real server, inside a loopback-only
 * network namespace. The bot is spoken to over HTTP as Teams does; the fake Bot Connector shows what it
 * sends. Screenshots of each view in light and dark themes go to docs/screenshots/tab-*.png.
 */
import assert from 'node:assert/strict';
import { assertOffline } from './playgroundHarness';
import type { Page } from 'playwright-core';
import { describeViolations, PEOPLE, seriousViolations, TabRig, tabShot, TENANT, THEMES } from './tabHarness';

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
    await tab.waitForFunction("document.documentElement.dataset.theme === 'contrast'");
    assert.deepEqual(await seriousViolations(tab), []);
    await setTheme('default');
    await tab.waitForFunction("document.documentElement.dataset.theme === 'default'");
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
