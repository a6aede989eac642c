/** Who may settle an approval and who may acknowledge an alert: the one rule, case by case and at random. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ActingUser, type AlertParties, type ApprovalParties, isInChannel, mayAcknowledgeAlert, maySettleApproval } from '../../src/domain/authority';
import { ESCALATION_LEVELS } from '../../src/domain/ports/store';

const TENANT = 'tenant-north';
const CHANNEL = '19:safeguarding@thread.tacv2';

const alert: AlertParties = {
  tenantId: TENANT,
  practitionerAadId: 'aad-pat',
  managerAadId: 'aad-lee',
  delegateAadIds: ['aad-jo'],
  headOfServiceAadId: 'aad-sam',
  reachedLevels: ['manager'],
  channelConversationId: CHANNEL,
};

/** The same alert once it has escalated to the escalation channel. */
const sentToChannel: AlertParties = { ...alert, reachedLevels: ['manager', 'head_of_service', 'escalation_channel'] };

const request: ApprovalParties = { tenantId: TENANT, practitionerAadId: 'aad-pat', managerAadId: 'aad-lee', delegateAadIds: ['aad-jo'] };

function chat(aadObjectId: string, tenantId = TENANT): ActingUser {
  return { aadObjectId, tenantId, conversationId: `a:personal-${aadObjectId}` };
}

function inChannel(aadObjectId: string, thread = ';messageid=1712345678901', tenantId = TENANT): ActingUser {
  return { aadObjectId, tenantId, conversationId: `${CHANNEL}${thread}` };
}

describe('who may act (src/domain/authority.ts)', () => {
  describe('acknowledging a safeguarding alert', () => {
    const cases: Array<[string, ActingUser, AlertParties, string]> = [
      ['the line manager', chat('aad-lee'), alert, 'allowed:line_manager'],
      ["the manager's delegate", chat('aad-jo'), alert, 'allowed:delegate'],
      ['a member of the escalation channel, in a thread there, once it reached the channel', inChannel('aad-ash'), sentToChannel, 'allowed:escalation_channel'],
      ['a member of the escalation channel, in the channel itself, once it reached the channel', inChannel('aad-ash', ''), sentToChannel, 'allowed:escalation_channel'],
      ['a member of the escalation channel, once a copy was queued there (the manager unreachable)', inChannel('aad-ash'), { ...alert, channelCopyQueued: true }, 'allowed:escalation_channel'],
      ['a member of the escalation channel, before the alert was sent there', inChannel('aad-ash'), alert, 'refused:not_yet_reached'],
      ['a member of the escalation channel, before it was sent there, in the channel itself', inChannel('aad-ash', ''), alert, 'refused:not_yet_reached'],
      ['the Head of Service before the alert reached them', chat('aad-sam'), alert, 'refused:not_yet_reached'],
      ['the Head of Service once it reached them', chat('aad-sam'), { ...alert, reachedLevels: ['manager', 'head_of_service'] }, 'allowed:head_of_service'],
      ['the Head of Service from the channel, before it reached them or the channel', inChannel('aad-sam'), alert, 'refused:not_yet_reached'],
      ['the Head of Service from the channel, once it reached the channel', inChannel('aad-sam'), sentToChannel, 'allowed:escalation_channel'],
      ['the line manager from the channel, before it reached the channel', inChannel('aad-lee'), alert, 'allowed:line_manager'],
      ['an outsider with no directory entry', chat('aad-mallory'), alert, 'refused:not_routed'],
      ["another team's manager", chat('aad-kim'), alert, 'refused:not_routed'],
      ['the manager, signed in to another tenant', chat('aad-lee', 'tenant-south'), alert, 'refused:other_tenant'],
      ['someone in another tenant with the same channel id', inChannel('aad-ash', '', 'tenant-south'), sentToChannel, 'refused:other_tenant'],
      ['the practitioner', chat('aad-pat'), alert, 'refused:own_request'],
      ['the practitioner, from the channel', inChannel('aad-pat'), sentToChannel, 'refused:own_request'],
      ['the practitioner, even if also recorded as the manager', chat('aad-pat'), { ...alert, managerAadId: 'aad-pat' }, 'refused:own_request'],
      ['a channel member from their 1:1 chat', chat('aad-ash'), sentToChannel, 'refused:not_routed'],
      ['a channel member from another channel', { aadObjectId: 'aad-ash', tenantId: TENANT, conversationId: '19:general@thread.tacv2;messageid=1' }, sentToChannel, 'refused:not_routed'],
      ['a conversation id that only starts like the channel', { aadObjectId: 'aad-ash', tenantId: TENANT, conversationId: `${CHANNEL}.evil` }, sentToChannel, 'refused:not_routed'],
      ['no conversation', { aadObjectId: 'aad-ash', tenantId: TENANT, conversationId: null }, alert, 'refused:not_routed'],
      ['anyone, when no channel was configured', inChannel('aad-ash'), { ...sentToChannel, channelConversationId: null }, 'refused:not_routed'],
      ['the Head of Service when no manager was on record (alerted at once)', chat('aad-sam'), { ...alert, managerAadId: null, delegateAadIds: [], reachedLevels: ['head_of_service', 'escalation_channel'] }, 'allowed:head_of_service'],
    ];
    for (const [who, actor, parties, expected] of cases) {
      it(`${who}: ${expected}`, () => {
        const result = mayAcknowledgeAlert(actor, parties);
        assert.equal(result.kind === 'allowed' ? `allowed:${result.as}` : `refused:${result.reason}`, expected);
        if (result.kind === 'refused') assert.ok(result.detail.length > 10, 'a refusal says why in words');
      });
    }
  });

  describe('settling an approval request', () => {
    const cases: Array<[string, string, string, 'approve' | 'decline' | 'cancel', string]> = [
      ['the assigned manager approves', 'aad-lee', TENANT, 'approve', 'allowed:manager'],
      ['a delegate declines', 'aad-jo', TENANT, 'decline', 'allowed:delegate'],
      ['the practitioner cancels', 'aad-pat', TENANT, 'cancel', 'allowed:practitioner'],
      ['the practitioner approves their own request', 'aad-pat', TENANT, 'approve', 'refused:own_request'],
      ['the manager cancels', 'aad-lee', TENANT, 'cancel', 'refused:not_the_requester'],
      ['an outsider approves', 'aad-mallory', TENANT, 'approve', 'refused:not_assigned'],
      ['the Head of Service declines', 'aad-sam', TENANT, 'decline', 'refused:not_assigned'],
      ['the manager, from another tenant', 'aad-lee', 'tenant-south', 'approve', 'refused:other_tenant'],
      ['the practitioner cancels from another tenant', 'aad-pat', 'tenant-south', 'cancel', 'refused:other_tenant'],
    ];
    for (const [who, aadObjectId, tenantId, action, expected] of cases) {
      it(`${who}: ${expected}`, () => {
        const result = maySettleApproval({ aadObjectId, tenantId }, request, action);
        assert.equal(result.kind === 'allowed' ? `allowed:${result.as}` : `refused:${result.reason}`, expected);
      });
    }
  });

  it('the channel is its own conversation or a thread in it, nothing else', () => {
    assert.equal(isInChannel(CHANNEL, CHANNEL), true);
    assert.equal(isInChannel(`${CHANNEL};messageid=42`, CHANNEL), true);
    assert.equal(isInChannel(`${CHANNEL};messageid=42`, `${CHANNEL};messageid=7`), true);
    assert.equal(isInChannel(`x${CHANNEL}`, CHANNEL), false);
    assert.equal(isInChannel('', ''), false);
    assert.equal(isInChannel(CHANNEL, null), false);
    assert.equal(isInChannel(null, CHANNEL), false);
  });

  describe('invariants, at random', () => {
    const id = fc.stringMatching(/^[a-z0-9:;=@.-]{0,30}$/);
    const routing = fc.record({
      tenantId: id,
      practitionerAadId: id,
      managerAadId: fc.option(id, { nil: null }),
      delegateAadIds: fc.array(id, { maxLength: 3 }),
      headOfServiceAadId: fc.option(id, { nil: null }),
      reachedLevels: fc.subarray([...ESCALATION_LEVELS]),
      channelConversationId: fc.option(id, { nil: null }),
      channelCopyQueued: fc.boolean(),
    });
    const actor = fc.record({ aadObjectId: id, tenantId: id, conversationId: fc.option(id, { nil: null }) });

    it('never the practitioner, never another tenant', () => {
      fc.assert(
        fc.property(routing, actor, (parties, who) => {
          const asPractitioner = mayAcknowledgeAlert({ ...who, aadObjectId: parties.practitionerAadId, tenantId: parties.tenantId }, parties);
          assert.equal(asPractitioner.kind, 'refused');
          if (who.tenantId !== parties.tenantId) assert.equal(mayAcknowledgeAlert(who, parties).kind, 'refused');
          for (const action of ['approve', 'decline'] as const) {
            const request = { tenantId: parties.tenantId, practitionerAadId: parties.practitionerAadId, managerAadId: parties.managerAadId ?? 'm', delegateAadIds: parties.delegateAadIds };
            assert.equal(maySettleApproval({ aadObjectId: parties.practitionerAadId, tenantId: parties.tenantId }, request, action).kind, 'refused');
          }
        }),
      );
    });

    it('whoever is allowed is someone the alert was routed to, or is in its channel once it was sent there', () => {
      fc.assert(
        fc.property(routing, actor, (parties, who) => {
          const result = mayAcknowledgeAlert(who, parties);
          if (result.kind !== 'allowed') return;
          const routed =
            who.aadObjectId === parties.managerAadId ||
            parties.delegateAadIds.includes(who.aadObjectId) ||
            (who.aadObjectId === parties.headOfServiceAadId && parties.reachedLevels.includes('head_of_service')) ||
            (isInChannel(who.conversationId, parties.channelConversationId) && (parties.reachedLevels.includes('escalation_channel') || parties.channelCopyQueued === true));
          assert.ok(routed, JSON.stringify({ parties, who, result }));
        }),
      );
    });
  });
});
