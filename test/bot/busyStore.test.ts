/**
 * A busy or broken store slows nobody down and is reported honestly. Another process holds the SQLite
 * file's write lock (as a long erase or retention:purge would): /healthz keeps answering, a user's turn
 * gets the "nothing was recorded; try again" card instead of hanging, /readyz says the store cannot be
 * written, the background loops back off; once the lock is gone everything works again.
 * Timing is asserted by event order and generous bounds, never by tight wall-clock figures.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import { actionData, answersFor, cardText, type Harness, PEOPLE, queryRows, startHarness } from './botHarness';

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
  beforeEach(async () => {
    h = await startHarness({ dispatch: true });
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
    const started = Date.now();
    const turn = h
      .invoke(PEOPLE.pat, 'wizard.next', { ...actionData(wizard, 'wizard.next'), ...answersFor(wizard, { contactType: 'parent_carer', purpose: 'appointment', initiatedBy: 'practitioner', caseRef: 'CR-50001' }) })
      .then((r) => {
        order.push('turn');
        return { ...r, ms: Date.now() - started };
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
    // Generous: the old code waited SQLite's 10 s busy timeout per write, on the event loop.
    assert.ok(reply.ms < 8000, `the error card came after ${reply.ms} ms`);

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
