/**
 * YAML text → validated, compiled policy pack. Every error names the file, the rule id (when there is one)
 * and the field, so a council's author can find it.
 */
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { compileCondition, type CompiledCondition, ConditionError } from './conditions';
import { type PackData, packSchema, type RuleData } from './packSchema';

export interface CompiledRule extends RuleData {
  condition: CompiledCondition | null;
}

export interface PolicyPack {
  data: PackData;
  /** File name the pack was read from, for error messages and traceability. */
  file: string;
  /** sha256 of the pack file's exact bytes. */
  contentHash: string;
  rules: CompiledRule[];
}

export interface PackProblem {
  file: string;
  ruleId?: string;
  field: string;
  message: string;
}

export function formatProblem(p: PackProblem): string {
  return `${p.file}: ${p.ruleId ? `rule ${p.ruleId}: ` : ''}${p.field}: ${p.message}`;
}

export class PackError extends Error {
  constructor(readonly problems: PackProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'PackError';
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function issueToProblem(file: string, raw: unknown, issue: z.core.$ZodIssue): PackProblem {
  const path = issue.path.map(String);
  let ruleId: string | undefined;
  let fieldPath = path;
  if (path[0] === 'rules' && path.length >= 2) {
    const index = Number(path[1]);
    const rules = (raw as { rules?: unknown[] } | null)?.rules;
    const rule = Array.isArray(rules) ? (rules[index] as { id?: unknown } | undefined) : undefined;
    ruleId = typeof rule?.id === 'string' ? rule.id : `#${index + 1}`;
    fieldPath = path.slice(2);
  }
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  const field = fieldPath.join('.') || '(pack)';
  return ruleId === undefined ? { file, field, message } : { file, ruleId, field, message };
}

/**
 * Parses one pack. `knownContacts`/`knownBaselineRules` are what the baseline offers, so a council rule
 * may cite the baseline's 999 contact or replace a baseline rule by id.
 */
export function parsePack(
  yamlText: string,
  file: string,
  known: { contacts?: ReadonlySet<string>; baselineRules?: ReadonlySet<string> } = {},
): PolicyPack {
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PackError(doc.errors.map((e) => ({ file, field: '(yaml)', message: e.message.split('\n')[0] ?? e.message })));
  }
  const raw: unknown = doc.toJS();
  const parsed = packSchema.safeParse(raw);
  if (!parsed.success) throw new PackError(parsed.error.issues.map((i) => issueToProblem(file, raw, i)));
  const data = parsed.data;
  const problems: PackProblem[] = [];

  const contactIds = new Set([...(known.contacts ?? []), ...data.contacts.map((c) => c.id)]);
  const scriptIds = new Set(data.scripts.map((s) => s.id));
  const seenRules = new Set<string>();
  const duplicates = (ids: string[], what: string) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push({ file, field: what, message: `duplicate id ${id}` });
      seen.add(id);
    }
  };
  duplicates(data.contacts.map((c) => c.id), 'contacts');
  duplicates(data.scripts.map((s) => s.id), 'scripts');

  const allRuleIds = new Set(data.rules.map((r) => r.id));
  const rules: CompiledRule[] = data.rules.map((rule) => {
    const at = (field: string, message: string) => problems.push({ file, ruleId: rule.id, field, message });
    if (seenRules.has(rule.id)) at('id', 'duplicate rule id');
    seenRules.add(rule.id);
    for (const s of rule.scripts) if (!scriptIds.has(s)) at('scripts', `no script with id ${s} in this pack`);
    for (const c of rule.contacts) if (!contactIds.has(c)) at('contacts', `no contact with id ${c} in this pack or the baseline`);
    for (const n of rule.narrows) {
      if (!allRuleIds.has(n) || n === rule.id) at('narrows', `no other rule ${n} in this pack`);
      else if (data.rules.find((r) => r.id === n)?.effect !== rule.effect) at('narrows', `${n} has another effect; a rule narrows only a rule with the same effect`);
    }
    for (const b of rule.replacesBaseline) {
      if (data.kind === 'baseline') at('replacesBaseline', 'only a council rule can replace a baseline rule');
      else if (known.baselineRules && !known.baselineRules.has(b)) at('replacesBaseline', `no baseline rule ${b}`);
    }
    if (rule.under16Exception && rule.effect !== 'ALLOW_WITH_CONDITIONS') {
      at('under16Exception', 'only an ALLOW_WITH_CONDITIONS rule can be the under-16 exception');
    }
    if (rule.effect === 'ESCALATE_SAFEGUARDING' && rule.notify !== 'urgent') {
      at('notify', 'a safeguarding escalation always notifies the manager urgently: set notify: urgent');
    }
    if (rule.effect === 'REPORT_INCIDENT' && rule.notify !== 'same_day') {
      at('notify', 'an information incident always notifies the manager the same day: set notify: same_day');
    }
    let condition: CompiledCondition | null = null;
    if (rule.when !== undefined) {
      try {
        condition = compileCondition(rule.when);
      } catch (e) {
        if (e instanceof ConditionError) at('when', e.message);
        else throw e;
      }
      if (rule.under16Exception && condition && !condition.references.includes('managerAgreement')) {
        at('when', 'the under-16 exception must require managerAgreement (recorded approval)');
      }
    }
    return { ...rule, condition };
  });
  if (problems.length > 0) throw new PackError(problems);
  return { data, file, contentHash: sha256(yamlText), rules };
}
