/**
 * The facts vocabulary: the one set of names and values that the policy engine, the card wizard
 * and the `decide` command share. Names and values are fixed; see the README's table.
 *
 * The facts are described once, by `factsSchema`: the `Facts` type, each fact's kind (for condition
 * validation), the defaults the wizard shows and the flag list of the managers' fact summary are all
 * derived from it.
 */
import { z } from 'zod';

export const CONTACT_TYPES = ['young_person', 'parent_carer', 'staff', 'foster_carer_volunteer'] as const;
export const DEVICES = ['work_issued', 'personal'] as const;
export const ACCOUNTS = ['work', 'personal'] as const;
export const PURPOSES = [
  'keep_in_touch',
  'appointment',
  'video_visit',
  'assessment_or_review',
  'share_documents',
  'group_chat',
  'broadcast',
  'colleague_chat',
  'allocate_work',
] as const;
export const INITIATORS = ['practitioner', 'young_person', 'parent_carer', 'colleague'] as const;
export const CONSENTS = ['given', 'not_asked', 'declined'] as const;

export type ContactType = (typeof CONTACT_TYPES)[number];
export type Device = (typeof DEVICES)[number];
export type Account = (typeof ACCOUNTS)[number];
export type Purpose = (typeof PURPOSES)[number];
export type Initiator = (typeof INITIATORS)[number];
export type Consent = (typeof CONSENTS)[number];

export const MIN_AGE = 0;
export const MAX_AGE = 120;

/** A true/false fact that, when true, is listed under "Flags" in the manager's fact summary. */
const flag = (title: string) => z.boolean().default(false).meta({ flag: title });
/** A yes / no / not known fact (null: not known or not asked). */
const unknownable = () => z.boolean().nullable().default(null);

const factsShape = {
  contactType: z.enum(CONTACT_TYPES),
  /** Required for a young person (for a group, the youngest member); null only together with ageUnknown. */
  age: z.number().int().min(MIN_AGE).max(MAX_AGE).nullable().optional(),
  /** The practitioner does not know the age (or only that the youngest is under 16): treated as under 16. */
  ageUnknown: flag('age not known: treated as under 16'),
  device: z.enum(DEVICES),
  account: z.enum(ACCOUNTS),
  purpose: z.enum(PURPOSES),
  initiatedBy: z.enum(INITIATORS).default('practitioner'),
  teamsAvailable: z.boolean().default(true),
  consent: z.enum(CONSENTS).default('not_asked'),
  withinWorkingHours: z.boolean().default(true),
  practitionerUncertain: flag('practitioner unsure'),
  riskPhoneAccessByAbuser: flag('someone with access to their phone poses a risk'),
  safeguardingConcern: flag('safeguarding concern'),
  immediateRiskToLife: flag('immediate risk to life'),
  inappropriateContentReceived: flag('inappropriate content received'),
  sensitiveContent: flag('sensitive content'),
  dataIncident: flag('data sent to the wrong person or channel'),
  managerAgreement: unknownable(),
  parentalConsent: unknownable(),
  dedicatedBroadcastDevice: unknownable(),
  serviceInScope: unknownable(),
};

const AGE_REQUIRED = 'age is required when contactType is young_person (for a group, the youngest member); if it is not known, give "age": null with "ageUnknown": true';

export const factsSchema = z
  .strictObject(factsShape)
  .superRefine((f, ctx) => {
    if (f.contactType === 'young_person' && (f.age === undefined || f.age === null) && !f.ageUnknown) {
      ctx.addIssue({ code: 'custom', path: ['age'], message: AGE_REQUIRED });
    }
    if (f.ageUnknown && f.age !== undefined && f.age !== null) {
      ctx.addIssue({ code: 'custom', path: ['ageUnknown'], message: 'must be false (or left out) when age is given' });
    }
  })
  .transform((f) => ({ ...f, age: f.age ?? null }));

export type Facts = z.output<typeof factsSchema>;
export type FactName = keyof Facts;

/** How a fact's values are described, for condition validation and for the wizard. */
export type FactKind =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean'; nullable: boolean }
  | { kind: 'age' };

type Field = (typeof factsShape)[FactName];

/** Looks through default / nullable / optional wrappers to the fact's own type. */
function describeField(field: z.ZodType): { kind: FactKind; defaultValue: unknown; flag: string | null } {
  let t: z.ZodType = field;
  let nullable = false;
  let defaultValue: unknown;
  const flagTitle = (field.meta() as { flag?: string } | undefined)?.flag ?? null;
  for (;;) {
    if (t instanceof z.ZodDefault) {
      defaultValue = t.def.defaultValue;
      t = t.unwrap() as z.ZodType;
    } else if (t instanceof z.ZodNullable) {
      nullable = true;
      t = t.unwrap() as z.ZodType;
    } else if (t instanceof z.ZodOptional) {
      t = t.unwrap() as z.ZodType;
    } else break;
  }
  if (t instanceof z.ZodEnum) return { kind: { kind: 'enum', values: t.options as string[] }, defaultValue, flag: flagTitle };
  if (t instanceof z.ZodBoolean) return { kind: { kind: 'boolean', nullable }, defaultValue, flag: flagTitle };
  if (t instanceof z.ZodNumber) return { kind: { kind: 'age' }, defaultValue, flag: flagTitle };
  throw new Error('facts.ts: a fact must be an enum, a boolean or the age');
}

const described = Object.fromEntries(
  (Object.entries(factsShape) as Array<[FactName, Field]>).map(([name, field]) => [name, describeField(field)]),
) as Record<FactName, ReturnType<typeof describeField>>;

export const FACT_NAMES = Object.keys(factsShape) as FactName[];

export const FACT_KINDS = Object.fromEntries(FACT_NAMES.map((n) => [n, described[n].kind])) as Record<FactName, FactKind>;

/** The documented default of each optional fact (the wizard pre-selects it); required facts have none. */
export const FACT_DEFAULTS = Object.fromEntries(
  FACT_NAMES.filter((n) => described[n].defaultValue !== undefined).map((n) => [n, described[n].defaultValue]),
) as Partial<Record<FactName, string | boolean | null>>;

/** The true/false facts listed under "Flags" when true, with the words the summary uses. */
export const FACT_FLAGS = FACT_NAMES.flatMap((n) => {
  const title = described[n].flag;
  return title === null ? [] : [{ fact: n, title }];
});

export function isFactName(name: string): name is FactName {
  return Object.prototype.hasOwnProperty.call(factsShape, name);
}

/** One problem with a set of facts, naming the fact. */
export interface FactError {
  fact: string;
  message: string;
}

export class InvalidFactsError extends Error {
  constructor(readonly errors: FactError[]) {
    super(errors.map((e) => `${e.fact}: ${e.message}`).join('; '));
    this.name = 'InvalidFactsError';
  }
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): FactError {
  const fact = issue.path.length > 0 ? issue.path.map(String).join('.') : '(facts)';
  if (issue.path.length === 1 && issue.code !== 'custom' && raw[fact] === undefined) return { fact, message: 'is required' };
  switch (issue.code) {
    case 'unrecognized_keys':
      return { fact: issue.keys.join(', '), message: `unknown fact; known facts are ${FACT_NAMES.join(', ')}` };
    case 'invalid_value':
      return { fact, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'invalid_type': {
      const kind = isFactName(fact) ? FACT_KINDS[fact] : undefined;
      if (kind?.kind === 'enum') return { fact, message: `must be one of ${kind.values.join(', ')}` };
      if (kind?.kind === 'boolean') return { fact, message: `must be true or false${kind.nullable ? ' or null' : ''}` };
      if (kind?.kind === 'age') return { fact, message: `must be a whole number from ${MIN_AGE} to ${MAX_AGE}, or null` };
      return { fact, message: 'must be an object of facts' };
    }
    case 'too_small':
    case 'too_big':
      return { fact, message: `must be a whole number from ${MIN_AGE} to ${MAX_AGE}, or null` };
    default:
      return { fact, message: issue.message };
  }
}

/** Validates raw facts (from JSON, a card or a test), applies the defaults and returns complete facts. */
export function parseFacts(input: unknown): Facts {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidFactsError([{ fact: '(facts)', message: 'must be a JSON object of facts' }]);
  }
  const result = factsSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidFactsError(
      result.error.issues.flatMap((i) =>
        // One error per unknown fact, so each is named on its own.
        i.code === 'unrecognized_keys' ? i.keys.map((k) => describeIssue({ ...i, keys: [k] }, input as Record<string, unknown>)) : [describeIssue(i, input as Record<string, unknown>)],
      ),
    );
  }
  return result.data;
}

/** Same as parseFacts but returns the errors instead of throwing. */
export function checkFacts(input: unknown): { ok: true; facts: Facts } | { ok: false; errors: FactError[] } {
  try {
    return { ok: true, facts: parseFacts(input) };
  } catch (e) {
    if (e instanceof InvalidFactsError) return { ok: false, errors: e.errors };
    throw e;
  }
}
