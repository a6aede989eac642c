/** The layering rules, checked: botbuilder only in src/bot; the domain core imports nothing but itself. */
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
});
