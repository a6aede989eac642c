/**
 * Queries built and compiled once, then run with fresh parameters: for the statements every check runs (a new
 * check, its wizard steps, its final step and its outcome's reads; docs/data.md lists them). Building a Kysely query and compiling it costs more CPU than running most of ours.
 *
 * A precompiled query is its Kysely builder, written as usual, over a parameters object. The first time it
 * runs on a Kysely instance with parameters of a given shape (their keys, in order), the builder is called
 * with a marker in place of each parameter and compiled; each parameter of the compiled query is either one
 * of the markers or a constant of the builder. From then on a run only puts the parameters into those places
 * and hands the kept SQL text to the executor: the same SQL, with the same parameters in the same order, as
 * the builder compiles for those values, on either engine (SQLite `?`, PostgreSQL `$1`, `for update` ...).
 *
 * What the markers cannot stand for runs through the builder as before: a parameter that is `undefined`
 * (Kysely leaves such a column out) or not a plain value (an array becomes a list, an expression is SQL).
 * The builder must use each parameter as a value only, never inside SQL text (checked when it is compiled),
 * and must not branch on a parameter's value (null or not, empty or not): it is compiled once per shape, with
 * markers. `precompileChecks.verify` (on in the store contract suite, on both engines) compares every run
 * with what the builder itself compiles for those values and throws on any difference.
 *
 * Kept per Kysely instance (the store's `ctx.db`); a query runs on that instance or one of its transactions,
 * which compile alike. An instance with plugins always runs the builder: a plugin's transformQuery would see
 * only the markers.
 */
import { type Compilable, type CompiledQuery, createQueryId, type Kysely, NoResultError, type QueryNode, type QueryResult, type RootOperationNode } from 'kysely';
import type { Engine } from './engineDifferences';
import type { Database } from './schema';
import type { Executor, StoreContext } from './storeContext';

/** Tests turn `verify` on: each precompiled run is checked against the builder's own compile. */
export const precompileChecks = { verify: false };

/** Distinct shapes kept per query and instance; a query with more runs through its builder each time. */
const MAX_SHAPES = 16;

/** Starts every marker; a parameter may not contain it. */
const MARK = '\u0000precompiled\u0000';

type Build<P, R> = (db: Kysely<Database>, p: P, engine: Engine) => Compilable<R>;

interface Template {
  keys: readonly string[];
  sql: string;
  query: RootOperationNode;
  /** For each parameter of the compiled query: the index of the key it takes, or -1 for a constant. */
  slots: readonly number[];
  constants: readonly unknown[];
}

export interface PrecompiledQuery<P, R> {
  readonly label: string;
  /** The query for `params` as it runs on ctx.db (or one of its transactions). */
  compile(ctx: StoreContext, params: P): CompiledQuery<R>;
  /** Runs it on `executor`: ctx.db, or a transaction of ctx.db. */
  execute(ctx: StoreContext, executor: Executor, params: P): Promise<QueryResult<R>>;
  /** The first row, as the builder's executeTakeFirst. */
  takeFirst(ctx: StoreContext, executor: Executor, params: P): Promise<R | undefined>;
  /** The first row, or NoResultError, as the builder's executeTakeFirstOrThrow. */
  takeFirstOrThrow(ctx: StoreContext, executor: Executor, params: P): Promise<R>;
  /** How many rows an update or insert changed, as UpdateResult.numUpdatedRows. */
  affectedRows(ctx: StoreContext, executor: Executor, params: P): Promise<bigint>;
}

/** How many templates have been built (each one a Kysely build and compile); tests read it. */
export const precompileCounts = { templates: 0 };

function isPlainValue(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
      return !value.includes(MARK);
    case 'number':
    case 'bigint':
    case 'boolean':
      return true;
    default:
      return false;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function buildTemplate<P, R>(label: string, build: Build<P, R>, db: Kysely<Database>, engine: Engine, keys: readonly string[]): Template {
  const markers = keys.map((key, i) => `${MARK}${i}:${key}`);
  const p = Object.fromEntries(keys.map((key, i) => [key, markers[i]])) as P;
  const compiled = build(db, p, engine).compile();
  precompileCounts.templates++;
  if (compiled.sql.includes(MARK)) throw new Error(`precompiled query ${label}: a parameter is part of the SQL text`);
  const slots: number[] = [];
  const used = new Set<number>();
  for (const parameter of compiled.parameters) {
    const slot = typeof parameter === 'string' ? markers.indexOf(parameter) : -1;
    if (slot === -1 && typeof parameter === 'string' && parameter.includes(MARK)) throw new Error(`precompiled query ${label}: a parameter is changed before it is bound`);
    slots.push(slot);
    if (slot !== -1) used.add(slot);
  }
  const unused = keys.filter((_, i) => !used.has(i));
  if (unused.length > 0) throw new Error(`precompiled query ${label}: ${unused.join(', ')} not bound`);
  return { keys, sql: compiled.sql, query: compiled.query, slots, constants: compiled.parameters };
}

export function precompile<P extends object, R>(label: string, build: Build<P, R>): PrecompiledQuery<P, R> {
  // null: the instance has plugins, so its queries always run through the builder.
  const templates = new WeakMap<Kysely<Database>, Template[] | null>();

  /** The template for params' shape, or null when the builder must run. */
  function templateFor(ctx: StoreContext, params: P): Template | null {
    const keys = Object.keys(params);
    const values = params as Record<string, unknown>;
    for (const key of keys) if (!isPlainValue(values[key])) return null;
    let kept = templates.get(ctx.db);
    if (kept === undefined) {
      kept = ctx.db.getExecutor().plugins.length > 0 ? null : [];
      templates.set(ctx.db, kept);
    }
    if (kept === null) return null;
    for (const template of kept) if (sameKeys(template.keys, keys)) return template;
    if (kept.length >= MAX_SHAPES) return null;
    const template = buildTemplate(label, build, ctx.db, ctx.engine, keys);
    kept.push(template);
    return template;
  }

  function fill(template: Template, params: P): CompiledQuery<R> {
    const values = params as Record<string, unknown>;
    const { keys, slots, constants } = template;
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      parameters[i] = slot === -1 ? constants[i] : values[keys[slot]!];
    }
    return { sql: template.sql, query: template.query, parameters, queryId: createQueryId() };
  }

  /** The query to run on `on` (ctx.db or one of its transactions). */
  function queryFor(ctx: StoreContext, on: Executor, params: P): CompiledQuery<R> {
    const template = templateFor(ctx, params);
    if (template === null) return build(on, params, ctx.engine).compile();
    const query = fill(template, params);
    if (precompileChecks.verify) {
      const expected = build(on, params, ctx.engine).compile();
      const same = expected.sql === query.sql && expected.parameters.length === query.parameters.length && expected.parameters.every((v, i) => Object.is(v, query.parameters[i]));
      if (!same) throw new Error(`precompiled query ${label} differs from its builder for ${JSON.stringify(Object.keys(params))}: ${query.sql} / ${expected.sql}`);
    }
    return query;
  }

  function compile(ctx: StoreContext, params: P): CompiledQuery<R> {
    return queryFor(ctx, ctx.db, params);
  }

  function execute(ctx: StoreContext, executor: Executor, params: P): Promise<QueryResult<R>> {
    return executor.executeQuery(queryFor(ctx, executor, params));
  }

  return {
    label,
    compile,
    execute,
    async takeFirst(ctx, executor, params) {
      return (await execute(ctx, executor, params)).rows[0];
    },
    async takeFirstOrThrow(ctx, executor, params) {
      const query = queryFor(ctx, executor, params);
      const row = (await executor.executeQuery(query)).rows[0];
      if (row === undefined) throw new NoResultError(query.query as QueryNode);
      return row;
    },
    async affectedRows(ctx, executor, params) {
      return (await execute(ctx, executor, params)).numAffectedRows ?? 0n;
    },
  };
}
