/**
 * Card binding, timed: the outcome and wizard-step templates bound to realistic data (the packs' scenarios
 * and sampled decisions, every wizard step) with adaptivecards-templating's Template.expand and with the
 * compiled binding renderTemplate uses (src/bot/presenters/compiledTemplate.ts). Prints µs per card for
 * each; not a test (the cards are compared in test/bot/presenters/compiledTemplate.test.ts).
 *
 *   npx tsx scripts/bench/templateBinding.ts [rounds]   (npm run bench prints the same lines)
 */
import { performance } from 'node:perf_hooks';
import * as ACData from 'adaptivecards-templating';
import { compileTemplate } from '../../src/bot/presenters/compiledTemplate';
import { type TemplateName, templatePayload } from '../../src/bot/presenters/renderTemplate';
import { largeCardDataSets, type TemplateDataSet } from '../../test/support/templateData';

export interface BindingTimes {
  template: TemplateName;
  cards: number;
  libraryUs: number;
  compiledUs: number;
}

/** µs per card of one pass over every data set. */
function pass(sets: readonly TemplateDataSet[], bind: (s: TemplateDataSet) => unknown): number {
  const started = performance.now();
  for (const s of sets) bind(s);
  return ((performance.now() - started) * 1000) / sets.length;
}

/**
 * µs per card for the library and the compiled binding: the best of `rounds` passes over every data set,
 * the two taking turns so that a busy machine slows both alike.
 */
export function timeTemplateBinding(rounds = 5): BindingTimes[] {
  const all = largeCardDataSets();
  return (['outcome', 'wizard-step'] as const).map((template) => {
    const sets = all.filter((s) => s.name === template);
    const library = new ACData.Template(templatePayload(template));
    const compiled = compileTemplate(templatePayload(template));
    if (!compiled) throw new Error(`${template} is not compiled`);
    const bindLibrary = (s: TemplateDataSet) => library.expand({ $root: s.data });
    const bindCompiled = (s: TemplateDataSet) => compiled.expand({ $root: s.data });
    pass(sets, bindLibrary); // warm up
    pass(sets, bindCompiled);
    let libraryUs = Infinity;
    let compiledUs = Infinity;
    for (let r = 0; r < rounds; r++) {
      libraryUs = Math.min(libraryUs, pass(sets, bindLibrary));
      compiledUs = Math.min(compiledUs, pass(sets, bindCompiled));
    }
    return { template, cards: sets.length, libraryUs, compiledUs };
  });
}

export function bindingLine(t: BindingTimes): string {
  return `${t.template.padEnd(12)} ${String(t.cards).padStart(5)} cards  library ${t.libraryUs.toFixed(1).padStart(7)} µs/card  compiled ${t.compiledUs.toFixed(1).padStart(7)} µs/card  (${(t.libraryUs / t.compiledUs).toFixed(1)}x)`;
}

if (require.main === module) {
  const rounds = Number(process.argv[2] ?? 5);
  for (const t of timeTemplateBinding(rounds)) process.stdout.write(`${bindingLine(t)}\n`);
}
