import assert from 'node:assert/strict';
import { managerStatusText } from '../../../src/bot/presenters/managerStatusWords';

describe("the practitioner's words for the line manager's part", function () {
  it('counts minutes as English does: "1 minute", "2 minutes"', function () {
    const sending = (n: number) => managerStatusText([{ kind: 'alert_sending', noManager: null, reached: [{ level: 'manager', name: 'Lee Manager' }], goesFurtherAfterMinutes: n }]);
    assert.match(sending(1) ?? '', /If nobody acknowledges it within 1 minute it goes further\./);
    assert.match(sending(2) ?? '', /within 2 minutes it goes further/);
    for (const reason of ['undelivered', 'unacknowledged'] as const) {
      assert.match(managerStatusText([{ kind: 'phone_now', reason, minutes: 1, numbers: [] }]) ?? '', /after 1 minute: phone/);
      assert.match(managerStatusText([{ kind: 'phone_now', reason, minutes: 15, numbers: [] }]) ?? '', /after 15 minutes: phone/);
    }
  });

  it("a settled request quotes the manager's comment and ends cleanly, with or without their full stop", function () {
    const settled = (status: 'approved' | 'declined', comment: string | null) => managerStatusText([{ kind: 'approval', status, byName: 'Sam Manager', at: '2026-03-03T14:05:00Z', comment }]);
    assert.equal(settled('declined', 'Use Teams instead.'), 'Declined by Sam Manager at 3 Mar, 14:05 GMT: "Use Teams instead." Do not use WhatsApp; use the alternatives.');
    assert.equal(settled('declined', 'Use Teams'), 'Declined by Sam Manager at 3 Mar, 14:05 GMT: "Use Teams". Do not use WhatsApp; use the alternatives.');
    assert.equal(settled('declined', null), 'Declined by Sam Manager at 3 Mar, 14:05 GMT. Do not use WhatsApp; use the alternatives.');
    assert.equal(settled('approved', 'Fine for a week!'), 'Approved by Sam Manager at 3 Mar, 14:05 GMT: "Fine for a week!" Follow the conditions below.');
  });
});
