/** SQLite databases for the contract suite: a temp file each, deleted afterwards. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { ChannelCheckStore } from '../../src/domain/ports/store';
import { createKysely, openStore } from '../../src/store/openStore';
import type { Database as Schema } from '../../src/store/schema';
import type { StoreHarness, TestDatabase } from './storeHarness';

export function sqliteHarness(): StoreHarness {
  return {
    engine: 'sqlite',
    async newDatabase(): Promise<TestDatabase> {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-store-'));
      const file = path.join(dir, 'channelcheck.db');
      const opened: ChannelCheckStore[] = [];
      const connections: Database.Database[] = [];
      let raw: Kysely<Schema> | undefined;
      const open: TestDatabase['open'] = async (options = {}) => {
        const store = await openStore({ engine: 'sqlite', file, ...options, onConnection: (c) => connections.push(c) });
        opened.push(store);
        return store;
      };
      const rawDb = (): Kysely<Schema> => {
        raw ??= createKysely({ engine: 'sqlite', file });
        return raw;
      };
      return {
        open,
        async openReplicas(options = {}) {
          const store = await open(options);
          return [store, store];
        },
        raw: rawDb,
        async holdWriteLock() {
          const other = new Database(file);
          other.exec('begin immediate');
          return async () => {
            other.exec('rollback');
            other.close();
          };
        },
        async refuseWrites(reason) {
          for (const c of connections) {
            if (reason === 'read_only') c.pragma('query_only = ON');
            else c.pragma(`max_page_count = ${c.pragma('page_count', { simple: true }) as number}`);
          }
        },
        async allowWrites() {
          for (const c of connections) {
            c.pragma('query_only = OFF');
            c.pragma('max_page_count = 1073741823');
          }
        },
        async failOutboxInserts() {
          await sql`create trigger fail_outbox before insert on outbox begin select raise(abort, 'simulated crash while queuing a notification'); end`.execute(rawDb());
        },
        async drop() {
          for (const store of opened) await store.close().catch(() => undefined);
          await raw?.destroy();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
