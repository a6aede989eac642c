/**
 * The facts vocabulary: the one set of names and values that the policy engine, the card wizard
 * and the `decide` command share. Names and values are fixed; see the README's table.
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

export interface Facts {
  contactType: ContactType;
  age: number | null;
  device: Device;
  account: Account;
  purpose: Purpose;
  initiatedBy: Initiator;
  teamsAvailable: boolean;
  consent: Consent;
  withinWorkingHours: boolean;
  practitionerUncertain: boolean;
  riskPhoneAccessByAbuser: boolean;
  safeguardingConcern: boolean;
  immediateRiskToLife: boolean;
  inappropriateContentReceived: boolean;
  sensitiveContent: boolean;
  dataIncident: boolean;
  managerAgreement: boolean | null;
  parentalConsent: boolean | null;
  dedicatedBroadcastDevice: boolean | null;
  serviceInScope: boolean | null;
}

export type FactName = keyof Facts;

/** How a fact's values are described, for condition validation and for the wizard. */
export type FactKind =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean'; nullable: boolean }
  | { kind: 'age' };

export const FACT_KINDS: Record<FactName, FactKind> = {
  contactType: { kind: 'enum', values: CONTACT_TYPES },
  age: { kind: 'age' },
  device: { kind: 'enum', values: DEVICES },
  account: { kind: 'enum', values: ACCOUNTS },
  purpose: { kind: 'enum', values: PURPOSES },
  initiatedBy: { kind: 'enum', values: INITIATORS },
  teamsAvailable: { kind: 'boolean', nullable: false },
  consent: { kind: 'enum', values: CONSENTS },
  withinWorkingHours: { kind: 'boolean', nullable: false },
  practitionerUncertain: { kind: 'boolean', nullable: false },
  riskPhoneAccessByAbuser: { kind: 'boolean', nullable: false },
  safeguardingConcern: { kind: 'boolean', nullable: false },
  immediateRiskToLife: { kind: 'boolean', nullable: false },
  inappropriateContentReceived: { kind: 'boolean', nullable: false },
  sensitiveContent: { kind: 'boolean', nullable: false },
  dataIncident: { kind: 'boolean', nullable: false },
  managerAgreement: { kind: 'boolean', nullable: true },
  parentalConsent: { kind: 'boolean', nullable: true },
  dedicatedBroadcastDevice: { kind: 'boolean', nullable: true },
  serviceInScope: { kind: 'boolean', nullable: true },
};

export const FACT_NAMES = Object.keys(FACT_KINDS) as FactName[];

export function isFactName(name: string): name is FactName {
  return Object.prototype.hasOwnProperty.call(FACT_KINDS, name);
}

export const MIN_AGE = 0;
export const MAX_AGE = 120;

const factsInputSchema = z
  .strictObject({
    contactType: z.enum(CONTACT_TYPES),
    age: z.number().int().min(MIN_AGE).max(MAX_AGE).nullable().optional(),
    device: z.enum(DEVICES),
    account: z.enum(ACCOUNTS),
    purpose: z.enum(PURPOSES),
    initiatedBy: z.enum(INITIATORS).default('practitioner'),
    teamsAvailable: z.boolean().default(true),
    consent: z.enum(CONSENTS).default('not_asked'),
    withinWorkingHours: z.boolean().default(true),
    practitionerUncertain: z.boolean().default(false),
    riskPhoneAccessByAbuser: z.boolean().default(false),
    safeguardingConcern: z.boolean().default(false),
    immediateRiskToLife: z.boolean().default(false),
    inappropriateContentReceived: z.boolean().default(false),
    sensitiveContent: z.boolean().default(false),
    dataIncident: z.boolean().default(false),
    managerAgreement: z.boolean().nullable().default(null),
    parentalConsent: z.boolean().nullable().default(null),
    dedicatedBroadcastDevice: z.boolean().nullable().default(null),
    serviceInScope: z.boolean().nullable().default(null),
  })
  .superRefine((f, ctx) => {
    if (f.contactType === 'young_person' && (f.age === undefined || f.age === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['age'],
        message: 'age is required when contactType is young_person (for a group, the youngest member)',
      });
    }
  });

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
  const result = factsInputSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidFactsError(
      result.error.issues.flatMap((i) =>
        // One error per unknown fact, so each is named on its own.
        i.code === 'unrecognized_keys' ? i.keys.map((k) => describeIssue({ ...i, keys: [k] }, input as Record<string, unknown>)) : [describeIssue(i, input as Record<string, unknown>)],
      ),
    );
  }
  const f = result.data;
  return { ...f, age: f.age ?? null };
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
