import assert from 'node:assert/strict';
import { DEFAULT_WORKING_HOURS, isWithinWorkingHours } from '../../src/domain/workingHours';

describe('working hours', function () {
  const hours = (timezone: string) => ({ ...DEFAULT_WORKING_HOURS, timezone });
  const mondayMorning = new Date('2026-01-05T08:30:00Z');

  it('reads the time in each council\'s own time zone, whichever zone was asked about before', function () {
    assert.equal(isWithinWorkingHours(hours('Europe/London'), mondayMorning), false, '08:30 in London');
    assert.equal(isWithinWorkingHours(hours('Europe/Berlin'), mondayMorning), true, '09:30 in Berlin');
    assert.equal(isWithinWorkingHours(hours('Europe/London'), mondayMorning), false, 'London again, after Berlin');
    assert.equal(isWithinWorkingHours(undefined, new Date('2026-01-05T09:00:00Z')), true, 'the default: 09:00 UK time on a Monday');
    assert.equal(isWithinWorkingHours(undefined, new Date('2026-01-04T12:00:00Z')), false, 'Sunday');
  });

  it('still refuses a time zone that does not exist', function () {
    assert.throws(() => isWithinWorkingHours(hours('Mars/Olympus_Mons'), mondayMorning), RangeError);
  });
});
