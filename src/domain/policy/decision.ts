/** What evaluate() returns: one decision about one contact, traceable to the exact policy text. */
import type { Facts } from '../facts';
import type { Effect, PackStatus, Urgency } from './packSchema';
import type { ChannelVerdict, Outcome } from './precedence';

export interface Citation {
  ruleId: string;
  citation: string;
  /** true when the rule is one of ChannelCheck's baseline safeguards, not the council's own policy. */
  baseline: boolean;
}

export interface Reason extends Citation {
  effect: Effect;
  text: string;
  /** true when this rule decided the outcome or the channel verdict. */
  decisive: boolean;
  /**
   * true on a safeguarding or incident answer when the rule is about routine contact later (the channel
   * rules, their checklist, the other notes), shown under "For routine contact later", never first.
   */
  later: boolean;
}

export interface ChecklistItem extends Citation {
  text: string;
}

export interface ScriptToSend extends Citation {
  id: string;
  title: string;
  /** The council's exact words: send as written, do not edit. */
  verbatim: boolean;
  text: string;
}

export interface ContactToCall extends Citation {
  id: string;
  label: string;
  phone?: string;
  email?: string;
  url?: string;
  when: 'always' | 'in_hours' | 'out_of_hours';
  note?: string;
}

export interface PolicyRef {
  id: string;
  title: string;
  council: string;
  /** "Hillingdon": the short citation's council. Absent on a decision recorded before it existed. */
  shortName?: string;
  version: string;
  date: string | null;
  reviewDue: string | null;
  status: PackStatus;
  statusNote: string | null;
  sourceFile: string;
  /** sha256 of the council pack file. */
  contentHash: string;
  /** sha256 of the baseline safeguards file. */
  baselineHash: string;
}

/** A safeguarding or incident answer's part for routine contact later, kept apart from what to do now. */
export interface RoutineLater {
  /** e.g. "For routine contact later: WhatsApp is allowed with these conditions". */
  title: string;
  conditions: ChecklistItem[];
  scripts: ScriptToSend[];
  alternatives: ChecklistItem[];
  contacts: ContactToCall[];
}

/** Where the pack asks for consent: what the outcome card offers to record in the consent register. */
export interface ConsentRequest extends Citation {
  kind: 'reply_yes' | 'agreement';
  /** "They replied YES" or "They agreed". */
  label: string;
  /** The consent script the council prescribes, or null. */
  scriptId: string | null;
  /** The pack version and content hash the request (and its script) came from. */
  scriptVersion: string;
}

export interface Decision {
  outcome: Outcome;
  headline: string;
  /** What to do about routine contact, whatever the safeguarding outcome: never loosened by an escalation. */
  channel: ChannelVerdict;
  notifyManager: boolean;
  urgency: Urgency | null;
  /**
   * What to do now, in order, for a safeguarding escalation or an information incident (999 first when life
   * is at risk, then the out-of-hours route, telling the manager, the content, recording). Empty otherwise.
   */
  actNow: ChecklistItem[];
  /** Every rule that fired, decisive first: the full trace. */
  reasons: Reason[];
  /** The checklist of the answer itself; on a crisis answer only the crisis rules' (routine ones are in routineLater). */
  conditions: ChecklistItem[];
  scripts: ScriptToSend[];
  alternatives: ChecklistItem[];
  contacts: ContactToCall[];
  /** Where and what to record: the council's system, its general instruction, and the rules that fired. */
  record: { system: string | null; instruction: string | null; instructions: ChecklistItem[] };
  /** Plain warnings: temporary or unenforceable guidance, review date passed. */
  warnings: string[];
  /** Where the pack asks for the contact's consent (and WhatsApp may be used): what to record, else null. */
  consentRequest: ConsentRequest | null;
  /** Null on a channel outcome; on a crisis outcome, the routine part of the answer, shown after what to do now. */
  routineLater: RoutineLater | null;
  policy: PolicyRef;
  facts: Facts;
  engineVersion: string;
}

/** A decision recorded before actNow / routineLater / Reason.later existed, in today's shape. */
export function withCurrentShape(d: Decision): Decision {
  const old = d as Partial<Decision> & Decision;
  return {
    ...d,
    actNow: old.actNow ?? [],
    routineLater: old.routineLater ?? null,
    consentRequest: old.consentRequest ?? null,
    reasons: (old.reasons ?? []).map((r) => ({ ...r, later: (r as Partial<Reason>).later ?? false })),
  };
}
