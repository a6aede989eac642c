import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from '../../src/store/statementCache';

describe('SQLite statement cache', function () {
  let raw: BetterSqlite3.Database;
  beforeEach(function () {
    raw = new BetterSqlite3(':memory:');
    raw.exec('create table t (id integer primary key, v text)');
  });
  afterEach(function () {
    if (raw.open) raw.close();
  });

  it('prepares a SQL text once and hands back the same statement, whose results stay right', function () {
    const db = withStatementCache(raw);
    const insert = db.prepare('insert into t (v) values (?)');
    assert.equal(db.prepare('insert into t (v) values (?)'), insert);
    insert.run(['a']);
    db.prepare('insert into t (v) values (?)').run(['b']);
    assert.deepEqual(db.prepare('select v from t order by id').all([]), [{ v: 'a' }, { v: 'b' }]);
    assert.equal(db.cachedStatements, 2);
  });

  it('is bounded: the least recently used statement is dropped and prepared again when needed', function () {
    const db = withStatementCache(raw, 2);
    const one = db.prepare('select 1 as n');
    db.prepare('select 2 as n');
    db.prepare('select 1 as n');
    db.prepare('select 3 as n');
    assert.equal(db.cachedStatements, 2);
    assert.equal(db.prepare('select 1 as n'), one, 'recently used, kept');
    assert.deepEqual(db.prepare('select 2 as n').all([]), [{ n: 2 }], 'dropped, then prepared afresh');
  });

  it('drops the least recently used statement first, however long ago each was added', function () {
    const db = withStatementCache(raw, 3);
    const a = db.prepare('select 1 as n');
    const b = db.prepare('select 2 as n');
    const c = db.prepare('select 3 as n');
    // Used since they were added: a, then b. Least recently used now: c, then a.
    assert.equal(db.prepare('select 1 as n'), a);
    assert.equal(db.prepare('select 2 as n'), b);
    const d = db.prepare('select 4 as n');
    assert.equal(db.cachedStatements, 3);
    const e = db.prepare('select 5 as n');
    assert.equal(db.cachedStatements, 3);
    // c went first, then a: b, d and e are still kept (and using them drops nothing).
    assert.equal(db.prepare('select 4 as n'), d);
    assert.equal(db.prepare('select 5 as n'), e);
    assert.equal(db.prepare('select 2 as n'), b);
    assert.equal(db.cachedStatements, 3);
    // Least recently used now: d, then e. Preparing a again drops d; preparing d again drops e; b stays.
    assert.notEqual(db.prepare('select 1 as n'), a, 'a had been dropped: prepared afresh');
    assert.notEqual(db.prepare('select 4 as n'), d, 'd was least recently used: dropped for a');
    assert.equal(db.prepare('select 2 as n'), b);
    assert.notEqual(db.prepare('select 3 as n'), c, 'c had been dropped: prepared afresh');
    assert.equal(db.cachedStatements, 3);
  });

  it('refuses a size that is not a whole number of at least 1', function () {
    assert.throws(() => withStatementCache(raw, 0), RangeError);
    assert.throws(() => withStatementCache(raw, 2.5), RangeError);
  });

  it('a kept statement still answers after the schema changes under it', function () {
    const db = withStatementCache(raw);
    db.prepare('insert into t (v) values (?)').run(['a']);
    const count = db.prepare('select count(*) as n from t');
    assert.deepEqual(count.all([]), [{ n: 1 }]);
    raw.exec('alter table t add column w text; create index t_v on t (v)');
    db.prepare('insert into t (v) values (?)').run(['b']);
    assert.deepEqual(db.prepare('select count(*) as n from t').all([]), [{ n: 2 }]);
  });

  it('closes the database', function () {
    const db = withStatementCache(raw);
    db.prepare('select 1');
    db.close();
    assert.equal(raw.open, false);
    assert.equal(db.cachedStatements, 0);
  });
});
