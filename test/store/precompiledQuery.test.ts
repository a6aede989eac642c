/**
 * Precompiled queries: each gives exactly the SQL text and parameters its Kysely builder compiles (the builder
 * as the repositories wrote it before), on SQLite and on PostgreSQL, for varied parameters; and after its first
 * run on a Kysely instance it builds and compiles nothing.
 */
import assert from 'node:assert/strict';
import { CamelCasePlugin, type Compilable, type Kysely, sql } from 'kysely';
import type { NewOutboxMessage } from '../../src/domain/ports/store';
import { approvalForDecision } from '../../src/store/approvalRepository';
import { auditInsert, chainHeadForUpdate, chainHeadUpdate } from '../../src/store/auditLog';
import { consentForCase } from '../../src/store/consentRegisterRepository';
import { conversationReferenceByUser, conversationReferenceUpsert } from '../../src/store/conversationReferenceRepository';
import { decisionInsert } from '../../src/store/decisionRepository';
import { decisionRow } from '../../src/store/decisionRows';
import { escalationForDecision } from '../../src/store/escalationRepository';
import { lockForUpdate, type Engine } from '../../src/store/engineDifferences';
import { DEFAULT_CASE_REF_PATTERN } from '../../src/store/fieldRules';
import { createKysely } from '../../src/store/openStore';
import { outboxInsert, outboxRows } from '../../src/store/outboxRepository';
import { precompile, precompileChecks, precompileCounts, type PrecompiledQuery } from '../../src/store/precompiledQuery';
import type { AuditEventsTable, ConversationReferencesTable, Database, WizardSessionsTable } from '../../src/store/schema';
import type { StoreContext } from '../../src/store/storeContext';
import { cardAttachment, sessionById, sessionByIdForUpdate, sessionCompletion, sessionInsert, stepUpdate } from '../../src/store/wizardSessionRepository';
import { countCompilations } from './compilationCounter';
import { decisionCommand } from './fixtures/sampleDecision';

const NOW = new Date('2026-03-03T10:00:00.000Z');

function contextFor(engine: Engine): StoreContext {
  // Compiling needs no connection: the PostgreSQL pool is never asked for one.
  const db =
    engine === 'sqlite' ? createKysely({ engine: 'sqlite', file: ':memory:' }) : createKysely({ engine: 'postgres', connectionString: 'postgres://nobody@127.0.0.1:1/none' });
  return { db, engine, now: () => NOW, caseRefPattern: DEFAULT_CASE_REF_PATTERN };
}

function plain(query: { sql: string; parameters: readonly unknown[] }): { sql: string; parameters: unknown[] } {
  return { sql: query.sql, parameters: [...query.parameters] };
}

interface Case<P> {
  query: PrecompiledQuery<P, unknown>;
  /** The builder as the repository wrote it before it was precompiled. */
  original: (db: Kysely<Database>, p: P, engine: Engine) => Compilable<unknown>;
  params: P[];
}

function caseOf<P>(c: Case<P>): Case<unknown> {
  return c as Case<unknown>;
}

const evil = "o'brien\"; drop table decisions; --\u00e9\u{1F600}";

function auditRow(overrides: Partial<AuditEventsTable> = {}): AuditEventsTable {
  return {
    seq: 7,
    id: 'evt-7',
    decision_id: 'dec-1',
    case_ref: 'CASE-1001',
    type: 'decision.recorded',
    actor: 'aad-prac-1',
    payload: '{"a":1}',
    payload_hash: 'c'.repeat(64),
    created_at: NOW.toISOString(),
    prev_hash: 'd'.repeat(64),
    hash: 'e'.repeat(64),
    redacted_by_seq: null,
    record_hash: 'f'.repeat(64),
    ...overrides,
  };
}

const notification: NewOutboxMessage = decisionCommand('CASE-1001', 'key-1').notifications![0]!;

function stepSet(extra: Partial<WizardSessionsTable>): Partial<WizardSessionsTable> & { sessionId: string; expectedVersion: number } {
  // The keys in the order applyWizardStep builds them: step, answers, [case_ref], [activity_id], [conversation_ref], version, updated_at.
  const { case_ref, activity_id, conversation_ref, ...rest } = extra;
  return {
    step: 'age',
    answers: '{"answers":{},"history":[]}',
    ...(case_ref === undefined ? {} : { case_ref }),
    ...(activity_id === undefined ? {} : { activity_id }),
    ...(conversation_ref === undefined ? {} : { conversation_ref }),
    version: 2,
    updated_at: NOW.toISOString(),
    ...rest,
    sessionId: 'card-1',
    expectedVersion: 1,
  };
}

function sessionRow(overrides: Partial<WizardSessionsTable> = {}): WizardSessionsTable {
  // The columns in the order createWizardSession builds them.
  return {
    id: 'card-1',
    user_aad_id: 'aad-prac-1',
    tenant_id: 'tenant-1',
    council_id: 'testshire',
    step: 'contactType',
    answers: '{"answers":{},"history":[]}',
    case_ref: null,
    version: 1,
    status: 'active',
    decision_id: null,
    activity_id: null,
    conversation_ref: null,
    created_at: NOW.toISOString(),
    updated_at: NOW.toISOString(),
    ...overrides,
  };
}

const CASES: Case<unknown>[] = [
  caseOf({
    query: sessionInsert,
    original: (db, row: WizardSessionsTable) => db.insertInto('wizard_sessions').values(row),
    params: [
      sessionRow(),
      sessionRow({ activity_id: 'act-1', conversation_ref: '{"conversation":{"id":"c-1"}}' }),
      sessionRow({ id: evil, answers: '{}', conversation_ref: 'null', created_at: '', updated_at: '' }),
      sessionRow({ id: '?', user_aad_id: '$1', answers: null }),
    ],
  }),
  caseOf({
    query: cardAttachment,
    original: (db, p: { sessionId: string; activityId: string; conversationRef: string; updatedAt: string }) =>
      db.updateTable('wizard_sessions').set({ activity_id: p.activityId, conversation_ref: p.conversationRef, updated_at: p.updatedAt }).where('id', '=', p.sessionId),
    params: [
      { sessionId: 'card-1', activityId: 'act-1', conversationRef: '{"conversation":{"id":"c-1"}}', updatedAt: NOW.toISOString() },
      { sessionId: evil, activityId: '$2', conversationRef: 'null', updatedAt: '' },
      { sessionId: '', activityId: '?', conversationRef: '{}', updatedAt: NOW.toISOString() },
      { sessionId: 'card-2', activityId: 'act-2', conversationRef: null as unknown as string, updatedAt: NOW.toISOString() },
    ],
  }),
  caseOf({
    query: sessionById,
    original: (db, p: { id: string }) => db.selectFrom('wizard_sessions').selectAll().where('id', '=', p.id),
    params: [{ id: 'card-1' }, { id: '' }, { id: evil }, { id: '?' }, { id: '$1' }],
  }),
  caseOf({
    query: sessionByIdForUpdate,
    original: (db, p: { id: string }, engine) => lockForUpdate(db.selectFrom('wizard_sessions').selectAll().where('id', '=', p.id), engine),
    params: [{ id: 'card-1' }, { id: '' }, { id: evil }],
  }),
  caseOf({
    query: stepUpdate,
    original: (db, p: Partial<WizardSessionsTable> & { sessionId: string; expectedVersion: number }) => {
      const { sessionId, expectedVersion, ...set } = p;
      return db.updateTable('wizard_sessions').set(set).where('id', '=', sessionId).where('version', '=', expectedVersion).where('status', '=', 'active');
    },
    params: [
      stepSet({}),
      stepSet({ case_ref: null }),
      stepSet({ case_ref: 'CASE-1001' }),
      stepSet({}),
      stepSet({ activity_id: 'act-1', conversation_ref: '{"conversation":{"id":"c-1"}}' }),
      stepSet({ case_ref: 'CASE-2', activity_id: null, conversation_ref: 'null' }),
      stepSet({ step: evil, answers: null, version: 2147483647 }),
      stepSet({ case_ref: null }),
    ],
  }),
  caseOf({
    query: sessionCompletion,
    original: (db, p: { sessionId: string; expectedVersion: number; decisionId: string; version: number; updatedAt: string }) =>
      db
        .updateTable('wizard_sessions')
        .set({ status: 'completed', decision_id: p.decisionId, version: p.version, updated_at: p.updatedAt })
        .where('id', '=', p.sessionId)
        .where('version', '=', p.expectedVersion)
        .where('status', '=', 'active'),
    params: [
      { sessionId: 'card-1', expectedVersion: 3, decisionId: 'dec-1', version: 4, updatedAt: NOW.toISOString() },
      { sessionId: evil, expectedVersion: 0, decisionId: '', version: 1, updatedAt: '' },
    ],
  }),
  caseOf({
    query: chainHeadForUpdate,
    original: (db, _p: Record<never, never>, engine) => lockForUpdate(db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1), engine),
    params: [{}, {}],
  }),
  caseOf({
    query: auditInsert,
    original: (db, p: AuditEventsTable) => db.insertInto('audit_events').values(p),
    params: [
      auditRow(),
      auditRow({ decision_id: null, case_ref: null, payload: null, record_hash: null }),
      auditRow({ seq: 1, actor: evil, redacted_by_seq: 0, payload: '' }),
    ],
  }),
  caseOf({
    query: chainHeadUpdate,
    original: (db, p: { lastSeq: number; lastHash: string }) => db.updateTable('audit_chain_head').set({ last_seq: p.lastSeq, last_hash: p.lastHash }).where('id', '=', 1),
    params: [
      { lastSeq: 1, lastHash: 'a'.repeat(64) },
      { lastSeq: 0, lastHash: '' },
    ],
  }),
  caseOf({
    query: decisionInsert,
    original: (db, p) => db.insertInto('decisions').values(p as never),
    params: [
      decisionRow(decisionCommand('CASE-1001', 'k'), DEFAULT_CASE_REF_PATTERN, 'recorded', NOW),
      { ...decisionRow(decisionCommand(null, 'k'), DEFAULT_CASE_REF_PATTERN, 'awaiting_approval', NOW), practitioner_name: null },
      { ...decisionRow(decisionCommand('CASE-9', 'k'), DEFAULT_CASE_REF_PATTERN, 'escalation_open', NOW), erased_at: NOW.toISOString(), facts: null, decision: null },
    ],
  }),
  caseOf({
    query: outboxInsert,
    original: (db, p) => db.insertInto('outbox').values(p as never),
    params: [
      ...outboxRows([notification], NOW),
      ...outboxRows([{ ...notification, id: 'ob-1', refId: 'ref-1', decisionId: 'dec-1', urgent: true, notBefore: new Date('2026-03-04T00:00:00.000Z') }], NOW),
      ...outboxRows([{ ...notification, target: { kind: 'channel', channelId: '19:abc@thread.tacv2' }, priority: 'same_day' }], NOW).map((r) => ({ ...r, decision_id: 'dec-2' })),
    ],
  }),
  caseOf({
    query: conversationReferenceUpsert,
    original: (db, row: ConversationReferencesTable) =>
      db
        .insertInto('conversation_references')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('user_aad_id')
            .doUpdateSet({ tenant_id: row.tenant_id, reference: row.reference, updated_at: row.updated_at })
            .where((eb) => eb.or([eb('conversation_references.reference', '<>', eb.ref('excluded.reference')), eb('conversation_references.tenant_id', '<>', eb.ref('excluded.tenant_id'))])),
        ),
    params: [
      { user_aad_id: 'aad-prac-1', tenant_id: 'tenant-1', reference: '{"conversation":{"id":"c-1"}}', updated_at: NOW.toISOString() },
      { user_aad_id: evil, tenant_id: '', reference: 'null', updated_at: '' },
    ],
  }),
  caseOf({
    query: conversationReferenceByUser,
    original: (db, p: { userAadId: string }) => db.selectFrom('conversation_references').selectAll().where('user_aad_id', '=', p.userAadId),
    params: [{ userAadId: 'aad-prac-1' }, { userAadId: '' }, { userAadId: evil }, { userAadId: '$1' }, { userAadId: null as unknown as string }],
  }),
  caseOf({
    query: consentForCase,
    original: (db, p: { caseRef: string }) => db.selectFrom('consent_register').selectAll().where('case_ref', '=', p.caseRef).orderBy('recorded_at').orderBy('id'),
    params: [{ caseRef: 'CASE-1001' }, { caseRef: '' }, { caseRef: evil }, { caseRef: '?' }, { caseRef: null as unknown as string }],
  }),
  caseOf({
    query: approvalForDecision,
    original: (db, p: { decisionId: string }) => db.selectFrom('approval_requests').selectAll().where('decision_id', '=', p.decisionId).orderBy('created_at', 'desc'),
    params: [{ decisionId: 'dec-1' }, { decisionId: '' }, { decisionId: evil }, { decisionId: null as unknown as string }],
  }),
  caseOf({
    query: escalationForDecision,
    original: (db, p: { decisionId: string }) => db.selectFrom('escalations').selectAll().where('decision_id', '=', p.decisionId).orderBy('created_at', 'desc'),
    params: [{ decisionId: 'dec-1' }, { decisionId: '' }, { decisionId: evil }, { decisionId: null as unknown as string }],
  }),
];

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`precompiled queries: ${engine}`, function () {
    let ctx: StoreContext;
    beforeEach(function () {
      ctx = contextFor(engine);
    });
    afterEach(async function () {
      await ctx.db.destroy();
    });

    for (const c of CASES) {
      it(`${c.query.label}: the same SQL and parameters as its builder, for every parameter set (twice, shapes interleaved)`, function () {
        for (const round of [1, 2]) {
          c.params.forEach((params, i) => {
            const expected = plain(c.original(ctx.db, params, engine).compile());
            assert.deepEqual(plain(c.query.compile(ctx, params)), expected, `round ${round}, parameter set ${i}`);
          });
        }
      });
    }

    it('the engine shows in the SQL: placeholders, and the row lock on PostgreSQL', function () {
      const { sql } = sessionByIdForUpdate.compile(ctx, { id: 'card-1' });
      if (engine === 'postgres') assert.equal(sql, 'select * from "wizard_sessions" where "id" = $1 for update');
      else assert.equal(sql, 'select * from "wizard_sessions" where "id" = ?');
    });

    it('a value the markers cannot stand for runs through the builder: undefined leaves its column out, an array is a list', function () {
      const withUndefined = { ...stepSet({}), case_ref: undefined };
      const expected = plain(db(ctx).updateTable('wizard_sessions').set({ step: 'age', answers: '{"answers":{},"history":[]}', version: 2, updated_at: NOW.toISOString() }).where('id', '=', 'card-1').where('version', '=', 1).where('status', '=', 'active').compile());
      assert.deepEqual(plain(stepUpdate.compile(ctx, withUndefined)), expected);
      const byIds = precompile('byIds', (kdb, p: { id: string | string[] }) => kdb.selectFrom('decisions').select('id').where('id', '=', p.id));
      const list = plain(byIds.compile(ctx, { id: ['a', 'b'] }));
      assert.deepEqual(list.parameters, ['a', 'b']);
      assert.deepEqual(list, plain(db(ctx).selectFrom('decisions').select('id').where('id', '=', ['a', 'b']).compile()));
      assert.deepEqual(plain(byIds.compile(ctx, { id: 'a' })).parameters, ['a']);
    });

    it('with verification on, a builder that branches on a value is caught the first time the branch differs', function () {
      const byCase = precompile('byCase', (kdb, p: { caseRef: string | null }) => {
        const q = kdb.selectFrom('decisions').select('id');
        return p.caseRef === null ? q.where('case_ref', 'is', null) : q.where('case_ref', '=', p.caseRef);
      });
      precompileChecks.verify = true;
      try {
        assert.deepEqual(plain(byCase.compile(ctx, { caseRef: 'CASE-1001' })).parameters, ['CASE-1001']);
        assert.throws(() => byCase.compile(ctx, { caseRef: null }), /precompiled query byCase differs from its builder/);
      } finally {
        precompileChecks.verify = false;
      }
    });

    it('an instance with plugins always runs the builder, so every plugin sees every query', function () {
      const withPlugin = ctx.db.withPlugin(new CamelCasePlugin());
      const pluginCtx = { ...ctx, db: withPlugin as unknown as Kysely<Database> };
      const q = precompile('camel', (kdb, p: { id: string }) => kdb.selectFrom('decisions').select('id').where('id', '=', p.id));
      const counter = countCompilations();
      try {
        for (const id of ['a', 'b', 'c']) assert.deepEqual(plain(q.compile(pluginCtx, { id })).parameters, [id]);
        assert.equal(counter.count, 3, 'compiled by the builder each time');
      } finally {
        counter.restore();
      }
    });

    it('refuses a builder that puts a parameter into the SQL text or changes it before binding', function () {
      const inText = precompile('inText', (kdb, p: { name: string }) => kdb.selectFrom('decisions').select('id').where('id', 'like', `${p.name}%`));
      assert.throws(() => inText.compile(ctx, { name: 'x' }), /inText: a parameter is changed before it is bound/);
      const raw = precompile('raw', (kdb, p: { column: string }) => kdb.selectFrom('decisions').select(sql.raw<string>(p.column).as('c')));
      assert.throws(() => raw.compile(ctx, { column: 'id' }), /raw: a parameter is part of the SQL text/);
      const unbound = precompile('unbound', (kdb, _p: { name: string }) => kdb.selectFrom('decisions').select('id'));
      assert.throws(() => unbound.compile(ctx, { name: 'x' }), /unbound: name not bound/);
    });

    it('after the first run on an instance it builds and compiles nothing, whatever the parameters', function () {
      const compilations = countCompilations();
      const before = precompileCounts.templates;
      try {
        const query = precompile('fresh', (kdb, p: { id: string }) => kdb.selectFrom('decisions').selectAll().where('id', '=', p.id));
        query.compile(ctx, { id: 'a' });
        assert.equal(compilations.count, 1, 'the first run compiles once');
        for (const id of ['b', 'c', '', evil]) assert.deepEqual(query.compile(ctx, { id }).parameters, [id]);
        assert.equal(compilations.count, 1, 'later runs compile nothing');
        assert.equal(precompileCounts.templates, before + 1);
        // Another instance (another store) compiles its own, once.
        const other = contextFor(engine);
        try {
          query.compile(other, { id: 'a' });
          query.compile(other, { id: 'b' });
          assert.equal(compilations.count, 2);
        } finally {
          void other.db.destroy();
        }
      } finally {
        compilations.restore();
      }
    });
  });
}

function db(ctx: StoreContext): Kysely<Database> {
  return ctx.db;
}
