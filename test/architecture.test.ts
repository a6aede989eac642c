/**
 * The layering rules, checked: botbuilder only in src/bot; the domain core imports nothing but itself;
 * services and notification code return and carry data, never cards: they import no presenter or card code;
 * nothing holds state in async context (AsyncLocalStorage and async hooks make Node run hooks on every promise).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/runCli';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+'([^']+)'/g), ...text.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]!);
}

const SRC = path.join(ROOT, 'src');

describe('architecture', () => {
  it('every botbuilder import is inside src/bot', () => {
    const offenders = sources(SRC)
      .filter((f) => !f.startsWith(path.join(SRC, 'bot') + path.sep))
      .filter((f) => imports(f).some((i) => i === 'botbuilder' || i.startsWith('botbuilder-') || i.startsWith('botframework-')));
    assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
  });

  it('the domain core imports no transport or database library and nothing outside src/domain', () => {
    const forbidden = /^(botbuilder|botframework-|restify|kysely|pg|better-sqlite3|@microsoft\/microsoft-graph-client|@azure\/)/;
    const domain = path.join(SRC, 'domain');
    const problems: string[] = [];
    for (const f of sources(domain)) {
      for (const i of imports(f)) {
        if (forbidden.test(i)) problems.push(`${path.relative(ROOT, f)} imports ${i}`);
        if (i.startsWith('.') && !path.resolve(path.dirname(f), i).startsWith(domain)) problems.push(`${path.relative(ROOT, f)} reaches outside the domain: ${i}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('no source file uses async hooks or AsyncLocalStorage: the correlation id is passed by hand', () => {
    assert.deepEqual(sources(SRC).flatMap((f) => asyncContextUses(f, fs.readFileSync(f, 'utf8'))), []);
  });

  it('the check above can fail: it names an import of async_hooks and a use of AsyncLocalStorage', () => {
    const file = path.join(SRC, 'correlation.ts');
    const text = "import { AsyncLocalStorage } from 'node:async_hooks';\nconst hooks = require('async_hooks');\nconst s = new (globalThis as any).AsyncLocalStorage();\n";
    assert.deepEqual(asyncContextUses(file, text), ['src/correlation.ts imports node:async_hooks', 'src/correlation.ts imports async_hooks', 'src/correlation.ts uses AsyncLocalStorage', 'src/correlation.ts uses AsyncLocalStorage']);
    assert.deepEqual(asyncContextUses(file, "import { randomUUID } from 'node:crypto';\n"), []);
  });

  it('services and notification code import no card, presenter or bot code, and no card or botbuilder library', () => {
    const problems = ['services', 'notify'].flatMap((dir) => sources(path.join(SRC, dir)).flatMap((f) => presentationImports(f, imports(f))));
    assert.deepEqual(problems, []);
    // The card code lives with the presenters; nothing else renders a template. The tab's page is a client,
    // as Teams is: it draws the presenters' cards with the renderer, and gives the presenters the same
    // templates bundled (cardTemplates.ts stands in for their file reader); nothing else there binds one.
    assert.ok(!fs.existsSync(path.join(SRC, 'cards')), 'src/cards is gone: card code is in src/bot/presenters');
    const renderers = sources(SRC).filter((f) => !f.startsWith(BOT) && imports(f).some((i) => i.startsWith('adaptivecards')));
    assert.deepEqual(renderers.map((f) => path.relative(ROOT, f)), ['src/tab/web/cardTemplates.ts', 'src/tab/web/cards.ts']);
    assert.ok(!imports(path.join(SRC, 'tab', 'web', 'cards.ts')).includes('adaptivecards-templating'), 'the page\'s renderer binds no template itself');
  });

  it('the check above can fail: it names a service importing a presenter, card code or botbuilder', () => {
    const file = path.join(SRC, 'services', 'approvalService.ts');
    assert.equal(presentationImports(file, ['../bot/presenters/approvalPresenter', './cards/outcomeCard', 'botbuilder', 'adaptivecards-templating', '../domain/views', 'zod']).length, 4);
  });
});

const BOT = path.join(SRC, 'bot') + path.sep;

/** Where `text` (the source of `file`) imports async_hooks or names AsyncLocalStorage, comments aside. */
function asyncContextUses(file: string, source: string): string[] {
  const where = path.relative(ROOT, file);
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
  const hooks = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+'([^']+)'/g), ...text.matchAll(/(?:require|import)\(\s*'([^']+)'\s*\)/g)]
    .map((m) => m[1]!)
    .filter((i) => i === 'async_hooks' || i === 'node:async_hooks')
    .map((i) => `${where} imports ${i}`);
  const storage = [...text.matchAll(/\bAsyncLocalStorage\b/g)].map(() => `${where} uses AsyncLocalStorage`);
  return [...hooks, ...storage];
}

/** What `file` imports that belongs to the presentation: bot or card code, botbuilder, the card libraries. */
function presentationImports(file: string, imported: readonly string[]): string[] {
  const libraries = /^(botbuilder|botframework-|adaptivecards|adaptive-expressions)/;
  const where = path.relative(ROOT, file);
  return imported.flatMap((i) => {
    if (libraries.test(i)) return [`${where} imports ${i}`];
    if (!i.startsWith('.')) return [];
    const target = path.resolve(path.dirname(file), i);
    if (target.startsWith(BOT)) return [`${where} imports bot code: ${i}`];
    if (/(^|\/)cards(\/|$)/.test(path.relative(SRC, target))) return [`${where} imports card code: ${i}`];
    return [];
  });
}
