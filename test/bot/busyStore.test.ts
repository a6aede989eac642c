/**
 * A busy or broken store slows nobody down and is reported honestly. Another process holds the SQLite
 * file's write lock (as a long erase or retention:purge would): /healthz keeps answering, a user's turn
 * gets the "nothing was recorded; try again" card instead of hanging, /readyz says the store cannot be
 * written, the background loops back off; once the lock is gone everything works again.
 * How long the store waits for the lock is measured on its own injected clock (the busy wait's clock and sleep),
 * never on wall time: the turn's answer must come within the store's budget, BOT_BUSY_BUDGET_MS.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import { BOT_BUSY_BUDGET_MS } from '../../src/store/busyRetry';
import type BetterSqlite3 from 'better-sqlite3';
import { actionData, answersFor, BASE_FACTS, cardText, type Harness, PEOPLE, queryRows, rowCounts, startHarness } from './botHarness';

const HOLDER = path.join(__dirname, '..', 'store', 'fixtures', 'sqliteLockHolder.ts');

async function holdLock(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(String(chunk).trim(), 'locked');
  return child;
}

async function release(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.stdin!.end();
  await exited;
}

describe('bot: while another process holds the SQLite write lock', function () {
  this.timeout(120_000);
  let h: Harness;
  let holder: ChildProcess | null = null;
  /** The store's busy wait runs on this clock: each backoff pause moves it on (and yields), nothing else does. */
  let busyMs = 0;
  beforeEach(async () => {
    busyMs = 0;
    h = await startHarness({
      dispatch: true,
      sqlite: { busy: { clock: () => busyMs, sleep: async (ms) => { busyMs += ms; await new Promise((r) => setImmediate(r)); } } },
    });
  });
  afterEach(async () => {
    if (holder !== null && holder.exitCode === null) await release(holder);
    holder = null;
    await h.close();
  });

  it('answers /healthz throughout, gives the turn an error card that says nothing was recorded, and reports not ready', async () => {
    await h.message(PEOPLE.pat, 'new check');
    const wizard = h.cardsTo(PEOPLE.pat).at(-1)!.card;

    holder = await holdLock(h.dbFile);
    const order: string[] = [];
    const started = busyMs;
    const turn = h
      .invoke(PEOPLE.pat, 'wizard.next', { ...actionData(wizard, 'wizard.next'), ...answersFor(wizard, { contactType: 'parent_carer', purpose: 'appointment', initiatedBy: 'practitioner', caseRef: 'CR-50001' }) })
      .then((r) => {
        order.push('turn');
        return { ...r, waitedMs: busyMs - started };
      });
    // While the turn waits for the lock, the process keeps answering.
    const health = await fetch(`http://127.0.0.1:${h.port}/healthz`, { signal: AbortSignal.timeout(20_000) });
    order.push('healthz');
    assert.equal(health.status, 200);
    const reply = await turn;
    assert.deepEqual(order, ['healthz', 'turn'], '/healthz answered while the turn was still waiting for the store');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.type, 'application/vnd.microsoft.card.adaptive');
    const text = cardText(reply.body.value);
    assert.match(text, /ChannelCheck could not save that just now/);
    assert.match(text, /Nothing was recorded; try again/);
    assert.match(text, /wizard\.next/, 'the card offers Try again with the same step');
    // The store's budget, on its own clock: whatever waited for the lock meanwhile (the turn, or a background
    // loop that found the lock first) waited no longer than the budget in all, and then the turn failed at once.
    assert.ok(reply.waitedMs <= BOT_BUSY_BUDGET_MS, `the turn waited ${reply.waitedMs} ms for the lock (budget ${BOT_BUSY_BUDGET_MS} ms)`);
    const gaveUp = h.logs.map((l) => /gave up after (\d+) ms \((\d+) attempts\)/.exec(l)).filter((m) => m !== null);
    assert.ok(gaveUp.length > 0, 'the store gave up waiting and said after how long');
    const longest = Math.max(...gaveUp.map((m) => Number(m[1])));
    // Each operation gives up at most the budget after it asked (queued behind the one retrying, or retrying
    // itself); once the store is known busy the next ones fail at their first attempt.
    assert.ok(longest <= BOT_BUSY_BUDGET_MS && longest >= BOT_BUSY_BUDGET_MS - 100, `the longest wait was ${longest} ms: at the budget, never later`);
    assert.ok(gaveUp.every((m) => Number(m[1]) <= BOT_BUSY_BUDGET_MS), gaveUp.map((m) => m[1]).join(', '));
    process.stdout.write(`      the turn waited ${reply.waitedMs} ms on the store's clock; operations gave up after ${gaveUp.map((m) => `${m[1]} ms (${m[2]} attempts)`).join(', ')}\n`);

    const ready = await fetch(`http://127.0.0.1:${h.port}/readyz`, { signal: AbortSignal.timeout(20_000) });
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { checks: Array<{ name: string; ok: boolean; error?: string }> };
    assert.deepEqual(body.checks.find((c) => c.name === 'store'), { name: 'store', ok: true }, 'reading still works (WAL)');
    assert.match(body.checks.find((c) => c.name === 'store-writable')?.error ?? '', /store is busy \(another process holds its write lock\)/);
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/healthz`)).status, 200);
    assert.ok(h.logs.some((l) => /the store cannot be used now; backing off/.test(l)), 'the background loops backed off');

    await release(holder);
    // The lock is gone: Try again works, and the store is ready.
    const retried = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(wizard, 'wizard.next'), ...answersFor(wizard, { contactType: 'parent_carer', purpose: 'appointment', initiatedBy: 'practitioner', caseRef: 'CR-50001' }) });
    assert.doesNotMatch(cardText(retried.body.value), /could not save/);
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/readyz`)).status, 200);
  });

  it('a text command gets the same error card, and nothing is half-written', async () => {
    holder = await holdLock(h.dbFile);
    const r = await h.message(PEOPLE.pat, 'new check');
    assert.equal(r.status, 200);
    const card = h.cardsTo(PEOPLE.pat).at(-1)?.card;
    assert.match(cardText(card), /Nothing was recorded; try again/);
    await release(holder);
    assert.equal(queryRows(h.dbFile, 'select count(*) n from wizard_sessions')[0].n, 0, 'no wizard session was created');
  });
});

/** The bot's own connection made full (no room for one more page, as a full disk) or read-only. */
describe('bot: while the store cannot be written (a full disk, a read-only store)', function () {
  this.timeout(120_000);
  let h: Harness;
  let connection: BetterSqlite3.Database;
  const refuse = (reason: 'full' | 'read_only') =>
    reason === 'read_only' ? connection.pragma('query_only = ON') : connection.pragma(`max_page_count = ${connection.pragma('page_count', { simple: true }) as number}`);
  const allow = () => {
    connection.pragma('query_only = OFF');
    connection.pragma('max_page_count = 1073741823');
  };
  beforeEach(async () => {
    h = await startHarness({ dispatch: true, sqlite: { onConnection: (c) => (connection = c) } });
  });
  afterEach(async () => {
    allow();
    await h.close();
  });

  const SAFEGUARDING = { ...BASE_FACTS, contactType: 'young_person', age: 15, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-50101' };
  for (const [reason, words] of [['full', /the disk holding the store is full/], ['read_only', /the store is read-only/]] as const) {
    it(`${reason === 'full' ? 'full' : 'read-only'}: /readyz answers 503 naming why, /healthz answers, the practitioner gets the error card, nothing is half-written`, async () => {
      await h.message(PEOPLE.pat, 'new check');
      let card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
      const before = rowCounts(h.dbFile);
      refuse(reason);

      const ready = await fetch(`http://127.0.0.1:${h.port}/readyz`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean; error?: string }> };
      assert.equal(body.status, 'not ready');
      assert.deepEqual(body.checks.find((c) => c.name === 'store'), { name: 'store', ok: true }, 'reading still works');
      assert.match(body.checks.find((c) => c.name === 'store-writable')?.error ?? '', words);
      assert.equal((await fetch(`http://127.0.0.1:${h.port}/healthz`)).status, 200);

      // The practitioner carries on with the check (a safeguarding concern: the alert must be written whole or not at all).
      let failed: unknown = null;
      for (let i = 0; i < 8 && failed === null && cardText(card).includes('wizard.next'); i++) {
        const reply = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) });
        assert.equal(reply.status, 200);
        if (/could not save/.test(cardText(reply.body.value))) failed = reply.body.value;
        else card = reply.body.value;
      }
      assert.ok(failed !== null, 'a step that had to be written got the error card');
      assert.match(cardText(failed), /ChannelCheck could not save that just now/);
      assert.match(cardText(failed), /Nothing was recorded; try again/);
      assert.match(cardText(failed), /wizard\.next/, 'with Try again');
      const after = rowCounts(h.dbFile);
      for (const table of ['decisions', 'audit_events', 'escalations', 'timers', 'outbox', 'approval_requests']) assert.equal(after[table], before[table], `nothing half-written in ${table}`);
      assert.equal(queryRows(h.dbFile, "select count(*) n from wizard_sessions where status = 'completed'")[0].n, 0, 'the wizard is not marked complete');
      assert.ok(h.logs.some((l) => /the store could not be written; the user was told nothing was recorded/.test(l) && l.includes(`"storeUnavailable":"${reason}"`)), 'logged with the reason');

      // The disk has room again / the store is writable again: Try again works and the store is ready.
      allow();
      assert.equal((await fetch(`http://127.0.0.1:${h.port}/readyz`)).status, 200);
      const retried = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(failed, 'wizard.next'), ...answersFor(card, SAFEGUARDING) });
      assert.doesNotMatch(cardText(retried.body.value), /could not save/);
    });
  }
});
