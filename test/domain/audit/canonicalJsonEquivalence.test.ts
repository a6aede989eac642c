/**
 * canonicalJson was rewritten for speed; every stored JSON column and audit payload hash depends on its
 * exact bytes. This compares it with the earlier implementation (kept here verbatim) over random values.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/domain/audit/hashChain';

function previousCanonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not representable in JSON`);
      return JSON.stringify(value);
    case 'object': {
      if (seen.has(value)) throw new TypeError('canonicalJson: the value contains a cycle');
      seen.add(value);
      const text = Array.isArray(value)
        ? `[${value.map((v) => (v === undefined ? 'null' : serialise(v, seen))).join(',')}]`
        : `{${Object.keys(value)
            .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${serialise((value as Record<string, unknown>)[k], seen)}`)
            .join(',')}}`;
      seen.delete(value);
      return text;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not representable in JSON`);
  }
}

/** The same text, or the same error. */
function outcome(f: (v: unknown) => string, v: unknown): { text: string } | { error: string } {
  try {
    return { text: f(v) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const key = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', '__proto__x', '0', '10', '9', 'a', 'B', 'é', '😀', '\u0000', '\ud800'));
const leaf = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, 1e21, 1e-7, -1e21, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2, NaN, Infinity, -Infinity),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
);
const nested = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
})).value;

describe('audit: canonical JSON is byte for byte what it was', function () {
  it('gives the same text (or the same error) for random nested values', function () {
    fc.assert(
      fc.property(nested, (v) => {
        assert.deepEqual(outcome(canonicalJson, v), outcome(previousCanonicalJson, v));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on the edge cases: -0, 1e21, unicode, undefined members, sparse arrays, repeats, cycles, bigint, functions', function () {
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    const cases: unknown[] = [
      -0, 1e21, [-0, 1e21, 1e-7], 'é😀\u2028\ud800', { 'é': 1, e: 2, '😀': 3, '\ud83d': 4 }, { a: undefined, b: [undefined, null] },
      sparse, [shared, shared, { shared }], cyclic, [cyclic], { n: 10n }, [() => 1], { f: () => 1 }, Symbol('s'), undefined,
      new Date('2026-01-05T10:00:00Z'), { d: new Date(0) }, new Date(NaN), Object.assign([1, 2], { extra: 3 }), new Map([[1, 2]]),
      Object.create(null) as object, { toJSON: () => 'ignored' }, [[[[[[[[[]]]]]]]]],
    ];
    for (const c of cases) assert.deepEqual(outcome(canonicalJson, c), outcome(previousCanonicalJson, c), String(typeof c));
  });
});
