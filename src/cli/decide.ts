/**
 * decide: evaluates one contact's facts against a council's pack and prints the decision.
 *   npm run --silent decide -- --council <pack id> --facts '<json>' [--format json|text]
 *   npm run --silent decide -- --council <pack id> --facts - < facts.json
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { InvalidFactsError, parseFacts } from '../domain/facts';
import { evaluate } from '../domain/policy/evaluate';
import { loadPolicies } from '../policyFiles/loadPolicies';
import { EXIT_OK, runCommand, UsageError } from './exitCodes';
import { formatDecisionText } from './formatDecisionText';

const USAGE = "usage: npm run --silent decide -- --council <pack id> --facts '<json>' | --facts - [--format json|text]";

function main(): number {
  let values: { council?: string; facts?: string; format?: string };
  try {
    ({ values } = parseArgs({
      options: { council: { type: 'string' }, facts: { type: 'string' }, format: { type: 'string', default: 'json' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values.council) throw new UsageError('--council is required');
  if (values.facts === undefined) throw new UsageError('--facts is required (JSON, or - to read it from standard input)');
  if (values.format !== 'json' && values.format !== 'text') throw new UsageError(`--format must be json or text, not "${values.format}"`);

  const catalogue = loadPolicies();
  const policy = catalogue.councils.get(values.council);
  if (!policy) {
    throw new UsageError(`--council: unknown council pack "${values.council}"; known: ${[...catalogue.councils.keys()].join(', ')}`);
  }
  const rawText = values.facts === '-' ? fs.readFileSync(0, 'utf8') : values.facts;
  let raw: unknown;
  try {
    raw = JSON.parse(rawText);
  } catch (e) {
    throw new UsageError(`--facts: malformed JSON (${(e as Error).message})`);
  }
  let facts;
  try {
    facts = parseFacts(raw);
  } catch (e) {
    if (e instanceof InvalidFactsError) throw new UsageError(`--facts: ${e.errors.map((x) => `${x.fact}: ${x.message}`).join('; ')}`);
    throw e;
  }
  const decision = evaluate(policy, facts);
  process.stdout.write(values.format === 'json' ? `${JSON.stringify(decision, null, 2)}\n` : formatDecisionText(decision));
  return EXIT_OK;
}

void runCommand(USAGE, main);
