/**
 * Rule conditions are adaptive-expressions (the expression language of Adaptive Cards templating and
 * Bot Framework), parsed once at load time. Validation refuses unknown fact names and values outside a
 * fact's allowed set, so a typo in a pack fails `policy:check` instead of silently never firing.
 */
import { Expression, ExpressionType } from 'adaptive-expressions';
import { FACT_KINDS, type Facts, isFactName, MAX_AGE, MIN_AGE } from '../facts';

export interface CompiledCondition {
  source: string;
  references: string[];
  test(facts: Facts): boolean;
}

export class ConditionError extends Error {}

function constantValue(e: Expression): unknown {
  return (e as unknown as { value: unknown }).value;
}

/** The fact a node reads directly (`purpose`), or undefined. */
function accessorName(e: Expression): string | undefined {
  if (e.type !== ExpressionType.Accessor) return undefined;
  const refs = e.references();
  return refs.length === 1 ? refs[0] : undefined;
}

/** Constant leaves under a node, looking through array literals (`['a', 'b']`). */
function constantsUnder(e: Expression): unknown[] {
  if (e.type === ExpressionType.Constant) return [constantValue(e)];
  if (e.type === ExpressionType.CreateArray) return e.children.flatMap(constantsUnder);
  return [];
}

const COMPARISONS = new Set<string>([
  ExpressionType.Equal,
  ExpressionType.NotEqual,
  ExpressionType.LessThan,
  ExpressionType.LessThanOrEqual,
  ExpressionType.GreaterThan,
  ExpressionType.GreaterThanOrEqual,
  ExpressionType.Contains,
]);

function checkValue(fact: string, value: unknown, problems: string[]): void {
  if (!isFactName(fact)) return;
  const kind = FACT_KINDS[fact];
  if (kind.kind === 'enum') {
    if (typeof value !== 'string' || !kind.values.includes(value)) {
      problems.push(`fact ${fact} has no value ${JSON.stringify(value)}; allowed: ${kind.values.join(', ')}`);
    }
  } else if (kind.kind === 'boolean') {
    if (!(typeof value === 'boolean' || (value === null && kind.nullable))) {
      problems.push(`fact ${fact} is ${kind.nullable ? 'true, false or null' : 'true or false'}, not ${JSON.stringify(value)}`);
    }
  } else if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_AGE || value > MAX_AGE)) {
    problems.push(`fact age is a whole number from ${MIN_AGE} to ${MAX_AGE} or null, not ${JSON.stringify(value)}`);
  }
}

function walk(e: Expression, problems: string[]): void {
  if (COMPARISONS.has(e.type)) {
    const facts = e.children.map(accessorName).filter((n): n is string => n !== undefined);
    if (facts.length === 1) {
      const fact = facts[0] as string;
      for (const child of e.children) {
        if (accessorName(child) === undefined) {
          for (const v of constantsUnder(child)) checkValue(fact, v, problems);
        }
      }
    }
  }
  for (const child of e.children) walk(child, problems);
}

/** Parses and validates a condition; throws ConditionError with every problem found. */
export function compileCondition(source: string): CompiledCondition {
  let expr: Expression;
  try {
    expr = Expression.parse(source);
  } catch (e) {
    throw new ConditionError(`cannot parse condition: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  let references: string[];
  try {
    references = expr.references();
  } catch (e) {
    throw new ConditionError(`invalid condition: ${(e as Error).message}`);
  }
  for (const ref of references) {
    if (!isFactName(ref)) problems.push(`unknown fact ${JSON.stringify(ref)}`);
  }
  walk(expr, problems);
  if (problems.length > 0) throw new ConditionError(problems.join('; '));
  return {
    source,
    references,
    test(facts: Facts): boolean {
      const { value, error } = expr.tryEvaluate(facts);
      if (error) throw new ConditionError(`condition ${JSON.stringify(source)} failed: ${error}`);
      if (typeof value !== 'boolean') {
        throw new ConditionError(`condition ${JSON.stringify(source)} gave ${JSON.stringify(value)}, not true or false`);
      }
      return value;
    },
  };
}
