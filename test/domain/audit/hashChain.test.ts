import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, ChainVerifier, eventHash, GENESIS_HASH, sha256Hex, type StoredChainEvent, type Tombstone } from '../../../src/domain/audit/hashChain';

function chain(n: number): StoredChainEvent[] {
  const events: StoredChainEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const payloadText = canonicalJson({ seq, note: `event ${seq}` });
    const fields = { seq, id: `id-${seq}`, decisionId: `d-${seq}`, caseRef: `CASE-${seq}`, type: 'service.note', actor: 'a', payloadHash: sha256Hex(payloadText), createdAt: '2026-01-01T00:00:00.000Z', prevHash };
    const hash = eventHash(fields);
    events.push({ ...fields, payloadText, hash, redactedBySeq: null });
    prevHash = hash;
  }
  return events;
}

function verify(events: StoredChainEvent[], tombstones = new Map<number, Tombstone>(), head = events.at(-1) ?? null) {
  const v = new ChainVerifier(tombstones);
  for (const e of events) {
    const broken = v.check(e);
    if (broken) return broken;
  }
  return v.finish(head === null ? null : { seq: head.seq, hash: head.hash });
}

describe('audit hash chain (pure)', function () {
  it('canonical JSON sorts keys at every depth and is the same for equal values', function () {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null }, u: undefined }), '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(canonicalJson(JSON.parse(JSON.stringify(v))), canonicalJson(v));
        assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)));
      }),
    );
    assert.throws(() => canonicalJson({ n: 1n }), TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), /cycle/);
  });

  it('accepts an intact chain and rejects any single changed field at that event', function () {
    const events = chain(5);
    assert.equal(verify(events), null);
    const fields = ['id', 'decisionId', 'caseRef', 'type', 'actor', 'payloadHash', 'createdAt', 'hash'] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.constantFrom(...fields), (i, field) => {
        const tampered = chain(5);
        const e = tampered[i]!;
        (e as unknown as Record<string, unknown>)[field] = `${String(e[field])}x`;
        const broken = verify(tampered);
        assert.equal(broken?.seq, i + 1);
      }),
    );
  });

  it('allows a blanked payload only when a later tombstone covers it', function () {
    const events = chain(4);
    const blanked = events.map((e) => (e.seq === 2 ? { ...e, payloadText: null, redactedBySeq: 4 } : e));
    assert.match(verify(blanked)?.reason ?? '', /not a tombstone/);
    assert.equal(verify(blanked, new Map([[4, { type: 'case.erased', caseRef: 'CASE-2' }]])), null);
    assert.match(verify(blanked, new Map([[4, { type: 'case.erased', caseRef: 'CASE-3' }]]))?.reason ?? '', /does not cover/);
    assert.equal(verify(blanked, new Map([[4, { type: 'retention.purged', decisionIds: new Set(['d-2']) }]])), null);
    const early = events.map((e) => (e.seq === 2 ? { ...e, payloadText: null, redactedBySeq: 1 } : e));
    assert.match(verify(early, new Map([[1, { type: 'case.erased', caseRef: 'CASE-2' }]]))?.reason ?? '', /without an erasure/);
  });

  it('a record seal is hashed with its event, and an event without one hashes as before seals existed', function () {
    const fields = { seq: 1, id: 'e1', decisionId: 'd1', caseRef: 'CR-1', type: 'decision.recorded', actor: 'a', payloadHash: 'p'.repeat(64), createdAt: '2026-03-03T10:00:00.000Z', prevHash: GENESIS_HASH };
    const before = sha256Hex(canonicalJson({ v: 1, ...fields }));
    assert.equal(eventHash(fields), before);
    assert.equal(eventHash({ ...fields, recordHash: null }), before);
    const sealed = eventHash({ ...fields, recordHash: 'v1:aa:bb' });
    assert.notEqual(sealed, before);
    assert.notEqual(eventHash({ ...fields, recordHash: 'v1:aa:bc' }), sealed, 'a changed seal changes the event hash');
  });
});
