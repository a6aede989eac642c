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

export interface Decision {
  outcome: Outcome;
  headline: string;
  /** What to do about routine contact, whatever the safeguarding outcome: never loosened by an escalation. */
  channel: ChannelVerdict;
  notifyManager: boolean;
  urgency: Urgency | null;
  reasons: Reason[];
  conditions: ChecklistItem[];
  scripts: ScriptToSend[];
  alternatives: ChecklistItem[];
  contacts: ContactToCall[];
  /** Where and what to record: the council's system, its general instruction, and the rules that fired. */
  record: { system: string | null; instruction: string | null; instructions: ChecklistItem[] };
  /** Plain warnings: temporary or unenforceable guidance, review date passed. */
  warnings: string[];
  policy: PolicyRef;
  facts: Facts;
  engineVersion: string;
}
