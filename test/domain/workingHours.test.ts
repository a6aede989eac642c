import assert from 'node:assert/strict';
import { DEFAULT_WORKING_HOURS, describeHours, isWithinWorkingHours, routingHours } from '../../src/domain/workingHours';

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

describe('which hours an alert is routed for, and why', function () {
  const winterEvening = new Date('2026-03-03T18:20:00Z'); // a Tuesday, 18:20 GMT
  const winterMorning = new Date('2026-03-03T10:00:00Z');
  it('the clock wins over an answer of "within my hours", and says so', function () {
    assert.deepEqual(routingHours(true, DEFAULT_WORKING_HOURS, winterEvening), { outOfHours: true, basis: 'clock_out_of_hours' });
    assert.deepEqual(routingHours(true, DEFAULT_WORKING_HOURS, winterMorning), { outOfHours: false, basis: 'answer_and_clock_within' });
    assert.deepEqual(routingHours(false, DEFAULT_WORKING_HOURS, winterMorning), { outOfHours: true, basis: 'answered_out_of_hours' });
    assert.deepEqual(routingHours(false, DEFAULT_WORKING_HOURS, winterEvening), { outOfHours: true, basis: 'both_out_of_hours' });
  });
  it('describes the hours used', function () {
    assert.equal(describeHours(undefined), 'Mon–Fri 09:00–17:00 (UK time)');
    assert.equal(describeHours({ ...DEFAULT_WORKING_HOURS, days: ['mon', 'wed'], start: '08:30' }), 'Mon, Wed 08:30–17:00 (UK time)');
  });
});
