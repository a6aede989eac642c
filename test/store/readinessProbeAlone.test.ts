/**
 * The readiness probe (checkWritable) writes a row bigger than a page to find out whether the SQLite file can
 * still grow; when it cannot, SQLite fails that write with SQLITE_FULL and may end the whole transaction. The
 * probe therefore runs in a transaction of its own: another user's write of the same turn, which still fits,
 * must be kept.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreUnavailableError } from '../../src/domain/ports/storeUnavailable';
import { openStore } from '../../src/store/openStore';

describe('the readiness probe on a SQLite file that cannot grow', () => {
  it('reports the store full without failing a write that shares its turn', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-probe-'));
    let writer: BetterSqlite3.Database | undefined;
    const store = await openStore({ engine: 'sqlite', file: path.join(dir, 'channelcheck.db'), onConnection: (c) => (writer = c) });
    try {
      await store.saveConversationReference('aad-probe-1', 'tenant-1', { conversation: { id: 'one' } });
      writer!.pragma(`max_page_count = ${writer!.pragma('page_count', { simple: true }) as number}`);
      await store.saveConversationReference('aad-probe-2', 'tenant-1', { conversation: { id: 'two' } });
      await assert.rejects(store.checkWritable(), (e: unknown) => e instanceof StoreUnavailableError && e.reason === 'full');

      const write = store.saveConversationReference('aad-probe-3', 'tenant-1', { conversation: { id: 'three' } });
      // Still the same turn of the event loop: the write has taken the writer and waits for its group's COMMIT.
      for (let i = 0; i < 20; i++) await Promise.resolve();
      const [written, probed] = await Promise.allSettled([write, store.checkWritable()]);
      assert.equal(written.status, 'fulfilled', 'the write that fits is kept');
      assert.equal(probed.status, 'rejected', 'the probe still finds the store full');
      assert.deepEqual((await store.getConversationReference('aad-probe-3'))?.reference, { conversation: { id: 'three' } });
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
