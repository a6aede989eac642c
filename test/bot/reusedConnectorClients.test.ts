import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { ClaimsIdentity } from 'botframework-connector';
import { identityKey, ReusedConnectorClientsAuthentication } from '../../src/bot/reusedConnectorClients';
import { FakeBotConnector } from '../support/fakeBotConnector';

const SERVICE = 'http://127.0.0.1:9/teams/';

describe('Bot Connector clients are reused', function () {
  it('one client per identity, service URL and audience for incoming turns', async function () {
    const auth = new ReusedConnectorClientsAuthentication({});
    const activity = { type: 'message', channelId: 'msteams', serviceUrl: SERVICE } as Activity;
    const first = await auth.authenticateRequest(activity, '');
    const second = await auth.authenticateRequest(activity, '');
    const a = await first.connectorFactory!.create(SERVICE, first.audience);
    assert.equal(await second.connectorFactory!.create(SERVICE, second.audience), a, 'the next turn gets the same client');
    assert.notEqual(await second.connectorFactory!.create('http://127.0.0.1:9/other/', second.audience), a, 'another service URL gets its own');
    assert.notEqual(await second.connectorFactory!.create(SERVICE, 'https://api.botframework.us'), a, 'another audience gets its own');
    const otherBot = new ClaimsIdentity([{ type: 'aud', value: 'another-app-id' }], true);
    assert.notEqual(identityKey(otherBot), identityKey(first.claimsIdentity));
  });

  it('gives every proactive turn a client of its own (the sender changes its pipeline per attempt)', async function () {
    const auth = new ReusedConnectorClientsAuthentication({});
    const id = new ClaimsIdentity([], 'anonymous');
    assert.notEqual(await auth.createConnectorFactory(id).create(SERVICE), await auth.createConnectorFactory(id).create(SERVICE));
  });

  it('keeps one user token client per identity', async function () {
    const auth = new ReusedConnectorClientsAuthentication({});
    const id = new ClaimsIdentity([], 'anonymous');
    assert.equal(await auth.createUserTokenClient(id), await auth.createUserTokenClient(new ClaimsIdentity([], 'anonymous')));
  });

  it('does not keep a client whose creation failed', async function () {
    const auth = new ReusedConnectorClientsAuthentication({});
    let attempts = 0;
    const factory = (auth as unknown as { reusing: (inner: unknown, id: ClaimsIdentity) => { create: (u: string) => Promise<unknown> } }).reusing(
      { create: async () => { attempts += 1; if (attempts === 1) throw new Error('credentials unavailable'); return { ok: attempts }; } },
      new ClaimsIdentity([], 'anonymous'),
    );
    await assert.rejects(factory.create(SERVICE), /credentials unavailable/);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await factory.create(SERVICE), { ok: 2 });
    assert.deepEqual(await factory.create(SERVICE), { ok: 2 });
  });

  it('a reused client sends over one kept-alive connection', async function () {
    const fake = await FakeBotConnector.start({ keepAliveMs: 60_000 });
    try {
      const auth = new ReusedConnectorClientsAuthentication({});
      const activity = { type: 'message', channelId: 'msteams', serviceUrl: fake.serviceUrl } as Activity;
      for (let turn = 0; turn < 3; turn += 1) {
        const authenticated = await auth.authenticateRequest(activity, '');
        const client = await authenticated.connectorFactory!.create(fake.serviceUrl, authenticated.audience);
        await client.conversations.sendToConversation('a:fake-conversation-1', { type: 'message', text: `reply ${turn}` });
      }
      assert.equal(fake.delivered().length, 3);
      assert.equal(fake.connectionsOpened, 1, 'the three sends shared one connection');
    } finally {
      await fake.close();
    }
  });
});
