import assert from 'node:assert/strict';
import { londonClock, londonDateTime } from '../../src/domain/londonTime';

describe('UK times on cards and messages', function () {
  it('are UK local time with the zone shown, GMT in winter and BST in summer', function () {
    assert.equal(londonDateTime(new Date('2026-03-03T14:05:00Z')), '3 Mar, 14:05 GMT');
    assert.equal(londonDateTime(new Date('2026-07-01T14:05:00Z')), '1 Jul, 15:05 BST');
    assert.equal(londonClock(new Date('2026-07-01T23:05:00Z')), '00:05 BST');
    assert.equal(londonDateTime(null), '');
  });

  it('do not depend on the server\'s own time zone', function () {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      assert.equal(londonDateTime(new Date('2026-10-25T00:30:00Z')), '25 Oct, 01:30 BST');
      assert.equal(londonDateTime(new Date('2026-10-25T01:30:00Z')), '25 Oct, 01:30 GMT');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
