import { sqliteHarness } from './sqliteHarness';
import { describeStoreContract } from './storeContract';

describe('store contract: SQLite (temp file)', function () {
  this.timeout(20_000);
  describeStoreContract(sqliteHarness());
});
