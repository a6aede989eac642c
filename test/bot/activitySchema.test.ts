/** The inbound activity schema: what it refuses, and that a valid activity is passed on whole. */
import assert from 'node:assert/strict';
import { type Activity, TurnContext } from 'botbuilder';
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import { activitySchema, parseActivity } from '../../src/bot/activitySchema';

const schema = activitySchema({ httpsOnly: true });

function activity(): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: 'f:activity-1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.example.test/emea/',
    from: { id: '29:practitioner-1', aadObjectId: '7d1c3a52-0c1e-4f5a-9b1e-0000000000a1', name: 'Robin Example', role: 'user' },
    recipient: { id: '28:bot', name: 'ChannelCheck' },
    conversation: { id: 'a:conversation-1', tenantId: 'tenant-1', conversationType: 'personal', isGroup: false },
    channelData: { tenant: { id: 'tenant-1' }, source: { name: 'message' } },
    entities: [{ type: 'clientInfo', locale: 'en-GB', platform: 'Android' }],
    value: { action: { type: 'Action.Execute', verb: 'wizard.next', data: { sessionId: 's-1' } }, trigger: 'manual' },
  };
}

describe('bot: the inbound activity schema', function () {
  it('passes a valid activity on as the object that arrived, with every field the channel sent', function () {
    const body = activity();
    const parsed = parseActivity(schema, body);
    assert.ok(parsed.ok);
    assert.equal(parsed.activity, body);
    assert.deepEqual(parsed.activity, activity());
    assert.equal((parsed.activity.from as { role?: string }).role, 'user');
    assert.deepEqual(parsed.activity.entities, [{ type: 'clientInfo', locale: 'en-GB', platform: 'Android' }]);
  });

  it('refuses a malformed activity, naming the field', function () {
    const cases: [(a: Record<string, unknown>) => void, RegExp][] = [
      [(a) => delete a.serviceUrl, /serviceUrl/],
      [(a) => (a.serviceUrl = 'http://smba.example.test/'), /serviceUrl: must be an https URL/],
      [(a) => (a.from = { id: '   ' }), /from\.id: must not be empty/],
      [(a) => (a.conversation = { id: 'a:1', tenantId: 42 }), /conversation\.tenantId/],
      [(a) => (a.channelData = { tenant: { id: ['tenant-1'] } }), /channelData\.tenant\.id/],
      [(a) => (a.type = ''), /type: must not be empty/],
      [(a) => (a.text = { not: 'text' }), /text/],
    ];
    for (const [spoil, field] of cases) {
      const body = activity();
      spoil(body);
      const parsed = parseActivity(schema, body);
      assert.equal(parsed.ok, false, `accepted ${JSON.stringify(body)}`);
      if (!parsed.ok) assert.match(parsed.problem, field);
    }
  });

  it('refuses a body that is not an object', function () {
    for (const body of [null, 'invoke', 42, [activity()]]) assert.equal(parseActivity(schema, body).ok, false);
  });

  it('drops an own __proto__ key from the objects it checks, so no reply is addressed from unchecked fields', function () {
    const injected = '"__proto__":{"conversationType":{"not":"a string"},"name":42,"isGroup":true},';
    const text = JSON.stringify(activity())
      .replace('"conversation":{', `"conversation":{${injected}`)
      .replace('"from":{', `"from":{${injected}`)
      .replace('"recipient":{', `"recipient":{${injected}`)
      .replace('"tenant":{', `"tenant":{${injected}`)
      .replace('{"type":', `{${injected}"type":`);
    const body = JSON.parse(text) as Record<string, Record<string, unknown>>;
    assert.ok(Object.hasOwn(body.conversation!, '__proto__'), 'JSON.parse makes it an own key');
    const parsed = parseActivity(schema, body);
    assert.ok(parsed.ok);
    const a = parsed.activity as unknown as Record<string, Record<string, unknown>>;
    for (const o of [a, a.from, a.recipient, a.conversation, a.channelData, a.channelData!.tenant]) assert.equal(Object.hasOwn(o as object, '__proto__'), false);
    const reference = TurnContext.getConversationReference(validateAndFixActivity({ ...parsed.activity } as unknown as Activity));
    for (const o of [reference.conversation, reference.user, reference.bot]) assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.equal(reference.conversation!.conversationType, 'personal');
    assert.equal(reference.conversation!.isGroup, false);
    assert.equal((reference.user as { isGroup?: unknown }).isGroup, undefined);
  });
});
