import assert from 'node:assert/strict';
import { LruMap } from '../../src/domain/lruMap';

describe('LruMap', function () {
  it('keeps at most max entries, dropping the least recently used first', function () {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    assert.equal(m.get('a'), 1, 'a is now the most recently used');
    m.set('c', 3);
    assert.equal(m.size, 2);
    assert.equal(m.get('b'), undefined, 'b was the least recently used');
    assert.equal(m.get('a'), 1);
    assert.equal(m.get('c'), 3);
  });

  it('replaces a value without growing, and deletes and clears', function () {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('a', 2);
    assert.equal(m.size, 1);
    assert.equal(m.get('a'), 2);
    assert.equal(m.delete('a'), true);
    assert.equal(m.get('a'), undefined);
    m.set('b', 1);
    m.clear();
    assert.equal(m.size, 0);
  });

  it('refuses a size that is not a whole number of at least 1', function () {
    assert.throws(() => new LruMap(0), RangeError);
    assert.throws(() => new LruMap(1.5), RangeError);
  });
});
