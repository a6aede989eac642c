/**
 * The compiled binding (src/bot/presenters/compiledTemplate.ts) makes the card adaptivecards-templating's
 * Template.expand makes, value for value and byte for byte: every template in cards/ with the data the
 * presenters make for the packs' scenarios, sampled decisions and every wizard step; the same data with
 * fields missing, null, empty or holding `${`; and generated templates using every binding feature over
 * generated data. Where the library throws, the compiled binding throws the same error.
 */
import assert from 'node:assert/strict';
import * as ACData from 'adaptivecards-templating';
import fc from 'fast-check';
import { compileTemplate } from '../../../src/bot/presenters/compiledTemplate';
import { renderTemplate, TEMPLATE_NAMES, templatePayload } from '../../../src/bot/presenters/renderTemplate';
import { templateDataSets } from '../../support/templateData';

type Outcome = { card: unknown } | { error: string };

function attempt(bind: () => unknown): Outcome {
  try {
    return { card: bind() };
  } catch (e) {
    return { error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) };
  }
}

function library(template: unknown, context: object): Outcome {
  return attempt(() => new ACData.Template(template).expand(context));
}

function compiled(template: unknown, context: object): Outcome {
  return attempt(() => {
    const c = compileTemplate(template);
    assert.ok(c, 'the template compiles');
    return c.expand(context);
  });
}

function assertSame(actual: Outcome, expected: Outcome, what: string) {
  assert.deepStrictEqual(actual, expected, what);
  if ('card' in actual && 'card' in expected) assert.equal(JSON.stringify(actual.card), JSON.stringify(expected.card), what);
}

const libraryTemplates = new Map(TEMPLATE_NAMES.map((n) => [n, new ACData.Template(templatePayload(n))]));
const compiledTemplates = new Map(TEMPLATE_NAMES.map((n) => [n, compileTemplate(templatePayload(n))!]));

/** The realistic data with one top-level field missing, null, empty, an array, or text with `${`. */
function perturbed(data: object): object[] {
  const out: object[] = [];
  for (const key of Object.keys(data)) {
    const { [key]: _, ...without } = data as Record<string, unknown>;
    out.push(without);
    for (const value of [null, '', [], '${' + key + '}', 'Zoë ✓ “${x}” 😀', 0, true, {}]) out.push({ ...data, [key]: value });
  }
  return out;
}

describe('compiled card binding', () => {
  const sets = templateDataSets();

  it('every template in cards/ is compiled (none falls back to the library)', () => {
    for (const name of TEMPLATE_NAMES) assert.ok(compileTemplate(templatePayload(name)), name);
  });

  it('binds every template to the presenters\' data exactly as Template.expand does', () => {
    for (const name of TEMPLATE_NAMES) assert.ok(sets.filter((s) => s.name === name).length >= 10, `data for ${name}`);
    assert.ok(sets.length > 1500, `${sets.length} data sets`);
    for (const s of sets) {
      const expected = libraryTemplates.get(s.name)!.expand({ $root: s.data });
      const actual = renderTemplate(s.name, s.data);
      assert.deepStrictEqual(actual, expected, `${s.name}: ${s.label}`);
      assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${s.name}: ${s.label}`);
    }
  });

  it('binds every template to that data with fields missing, null, empty or holding ${ as Template.expand does', () => {
    // The first data set of each kind of card, and every 40th of the others.
    const chosen = sets.filter((s, i) => sets.findIndex((t) => t.name === s.name) === i || i % 40 === 0);
    let cases = 0;
    for (const s of chosen) {
      for (const data of perturbed(s.data)) {
        const context = { $root: data };
        assertSame(attempt(() => compiledTemplates.get(s.name)!.expand(context)), attempt(() => libraryTemplates.get(s.name)!.expand(context)), `${s.name}: ${s.label}, perturbed`);
        cases++;
      }
    }
    assert.ok(cases > 1000, `${cases} cases`);
  });

  it('each card is new: changing one (and the data it holds) changes neither the template nor the next card', () => {
    for (const name of TEMPLATE_NAMES) {
      const s = sets.find((x) => x.name === name)!;
      const first = renderTemplate(name, s.data);
      const visit = (x: unknown) => {
        if (Array.isArray(x)) {
          x.forEach(visit);
          x.push('changed');
        } else if (x && typeof x === 'object') {
          Object.values(x).forEach(visit);
          (x as Record<string, unknown>).changed = true;
        }
      };
      visit(first);
      // A card holds the data's own objects where a lone `${x}` names one (the error card's retry data), as
      // the library's does: those changed with it, and both bindings read the changed data.
      assert.equal(JSON.stringify(renderTemplate(name, s.data)), JSON.stringify(libraryTemplates.get(name)!.expand({ $root: s.data })), name);
    }
  });

  describe('generated templates over generated data', () => {
    const expressions = [
      '${title}', '${Title}', '${TITLE}', 'Hi ${name}!', '${a.b}', '${a.B}', '${a.b.c}', '${a.list}', '${$data}', '${$index}', '${$root.title}', '${$root.a.b}',
      '${$ROOT.title}', '${$host.h}', '${$_acTemplateVersion.major}', '${$_acTemplateVersion}', '${items[0].name}', '${list[1]}', "${a['b']}", '${a[kind]}',
      '${count(items)}', '${count(items) > 0}', '${count(list) == 0}', '${a != null}', '${title == null}', "${kind == 'x'}", "${if(flag, 'y', 'n')}",
      "${join(list, ', ')}", '${toUpper(name)}', '${nofn(name)}', 'x ${nofn(name)} y', '${foreach(items, x, x.name)}', '${where(items, i, i.flag)}',
      '${flag}', '${!flag}', '${flag && a != null}', '${n}', '${n + 1}', '${string(n)}', '${items}', '${list}', '${a}', '${missing}', '${missing.deep}',
      'a ${missing} b ${title}', '${title}${name}', '${1}', "${'lit'}", '${null}', 'n = ${n}', '${a}${list}', '${concat(title, name)}', '${length(title)}',
      '${exists(title)}', '${coalesce(missing, title)}', '${json(a)}', '${items[n].name}', '${$index > 0}', '${$data.name}', '${$data.Name}', '${name}_${$index}',
      'plain', '', 'no ${ closing', '$' + '{', '${', 'text with $ sign',
    ];
    const dataPaths = ['${items}', '${list}', '${a}', '${missing}', '${$root.items}', '${items[0].items}', '${n}', '${title}', '${a.list}', '${flag}'];
    const whens = ['${flag}', '${a != null}', '${count(items) > 0}', "${kind == 'x'}", '${$index > 0}', '${missing}', '${title}', '${!flag}', '${exists(name)}'];
    const leaf = fc.oneof(fc.constantFrom(...expressions), fc.constantFrom(0, 1, -2.5, true, false, null, 'Zoë ✓ 😀'));
    const template = fc.letrec<{ node: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
      array: fc.array(tie('node'), { maxLength: 4 }),
      object: fc
        .record(
          {
            type: fc.constantFrom('TextBlock', 'Container', '${kind}'),
            text: tie('node'),
            items: tie('node'),
            choices: fc.array(tie('object'), { maxLength: 3 }),
            $data: fc.oneof(fc.constantFrom(...dataPaths), fc.constant([1, 2]), fc.constant({ name: 'lit' }), fc.constant(null), fc.constant([])),
            $when: fc.oneof(fc.constantFrom(...whens), fc.constantFrom(true, false, 'not an expression', null, 0)),
            $index: fc.constant('dropped'),
            $root: fc.constant('dropped'),
            x: leaf,
          },
          { requiredKeys: [] },
        )
        .map((o) => o as Record<string, unknown>),
    })).object;

    const text = fc.oneof(fc.constantFrom('Hello', '', '${title}', 'Zoë ✓ “quoted” 😀', 'a.b', '0', 'İstanbul'), fc.string({ maxLength: 6 }));
    const scalar = fc.oneof(text, fc.integer({ min: -2, max: 5 }), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const item = fc.record({ name: scalar, Name: scalar, kind: fc.constantFrom('x', 'y'), flag: fc.oneof(fc.boolean(), scalar), items: fc.array(fc.record({ name: scalar }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] });
    const data = fc.record(
      {
        title: scalar,
        Title: scalar,
        name: scalar,
        kind: fc.oneof(fc.constantFrom('x', 'y', 'b'), scalar),
        flag: fc.oneof(fc.boolean(), scalar),
        n: fc.oneof(fc.integer({ min: -1, max: 3 }), scalar),
        a: fc.oneof(fc.record({ b: scalar, B: scalar, c: scalar, list: fc.array(text, { maxLength: 3 }), x: scalar }, { requiredKeys: [] }), scalar),
        list: fc.oneof(fc.array(text, { maxLength: 4 }), scalar),
        items: fc.oneof(fc.array(item, { maxLength: 4 }), scalar),
      },
      { requiredKeys: [] },
    );
    const host = fc.oneof(fc.constant(undefined), fc.record({ h: scalar }));

    it('bind as Template.expand does, or fail with the same error', () => {
      fc.assert(
        fc.property(template, data, host, (t, d, h) => {
          const context = h === undefined ? { $root: d } : { $root: d, $host: h };
          assertSame(compiled(t, context), library(t, context), JSON.stringify({ t, d, h }));
        }),
        { numRuns: 600, seed: 12 },
      );
    });

    it('the generated cases reach every feature: repeated, dropped, substituted and failed', () => {
      const seen = { repeated: 0, dropped: 0, substituted: 0, failed: 0 };
      fc.assert(
        fc.property(template, data, (t, d) => {
          const r = library(t, { $root: d });
          if ('error' in r) seen.failed++;
          else {
            const s = JSON.stringify(r.card) ?? '';
            if (s.includes('${')) seen.substituted++;
            if (r.card === null) seen.dropped++;
            if (Array.isArray(r.card)) seen.repeated++;
          }
        }),
        { numRuns: 300, seed: 12 },
      );
      for (const [k, v] of Object.entries(seen)) assert.ok(v > 10, `${k}: ${v}`);
    });
  });

  it('a template that writes to the memory (setPathToValue) is left to the library', () => {
    assert.equal(compileTemplate({ type: 'TextBlock', text: '${setPathToValue(a, 1)}' }), undefined);
    assert.ok(compileTemplate({ type: 'TextBlock', text: '${a}' }));
  });

  it('the undefined-field substitution of GlobalSettings is honoured as the library honours it', () => {
    const t = { text: 'a ${missing} b', value: '${other.deep}', when: [{ $when: '${missing == null}', x: 1 }] };
    ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString = (p: string) => (p === 'missing' ? `<${p}>` : undefined);
    try {
      const expected = library(t, { $root: {} });
      assert.deepEqual(expected, { card: { text: 'a <missing> b', value: '${other.deep}', when: [{ x: 1 }] } });
      assertSame(compiled(t, { $root: {} }), expected, 'with a substitution');
    } finally {
      ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString = undefined;
    }
  });
});
