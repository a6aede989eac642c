/**
 * A council's pack in plain language, clause by clause, for people to read (the tab's Policy view): what
 * each clause says and does, the document's status (temporary, guidance only, review overdue), and which
 * ChannelCheck baselines fill its silences. Pure: the pack and today's date in, view data out.
 */
import type { CouncilPolicy } from './evaluate';
import type { Effect, PackStatus } from './packSchema';

export interface ClauseView {
  ruleId: string;
  /** The document's own numbering. */
  citation: string;
  /** What the clause does, in words. */
  effect: string;
  text: string;
  conditions: string[];
  alternatives: string[];
  scripts: Array<{ title: string; text: string; verbatim: boolean }>;
  /** The ChannelCheck baselines this clause speaks for. */
  replacesBaselines: string[];
}

export interface BaselineView {
  ruleId: string;
  /** What the baseline is about ("immediate risk to life"). */
  topic: string;
  effect: string;
  text: string;
}

export interface PackView {
  councilId: string;
  council: string;
  title: string;
  service: string | null;
  version: string;
  date: string | null;
  scope: string;
  contentHash: string;
  status: {
    code: PackStatus;
    label: string;
    note: string | null;
    temporary: boolean;
    guidanceOnly: boolean;
    reviewDue: string | null;
    reviewOverdue: boolean;
  };
  clauses: ClauseView[];
  /** Baselines no clause of the council's speaks for: ChannelCheck applies them where the document is silent. */
  baselinesFillingSilences: BaselineView[];
}

const EFFECT_WORDS: Record<Effect, string> = {
  ESCALATE_SAFEGUARDING: 'Safeguarding: act now and tell your line manager',
  REPORT_INCIDENT: 'Report an information incident',
  BLOCK: 'WhatsApp is not permitted',
  NEEDS_MANAGER_APPROVAL: "Needs your line manager's agreement",
  PREFER_TEAMS: 'Use Microsoft Teams instead',
  ALLOW_WITH_CONDITIONS: 'WhatsApp is allowed, with conditions',
  CONDITION: 'A condition to follow when WhatsApp is used',
  RECORD: 'What to record',
  INFO: 'Good to know',
};

const STATUS_LABEL: Record<PackStatus, string> = {
  policy: 'Council policy',
  guidance: 'Guidance',
  guidance_not_enforceable: 'Guidance only (not enforceable)',
  temporary_guidance: 'Temporary guidance (it may have been withdrawn)',
};

/** True when a review date (YYYY, YYYY-MM or YYYY-MM-DD) has wholly passed by `today`. */
export function reviewOverdue(reviewDue: string | null, today: Date): boolean {
  if (!reviewDue) return false;
  const [y = 0, m, d] = reviewDue.split('-').map(Number);
  // The first moment after the period the date names (the year, the month or the day).
  const after = m === undefined ? Date.UTC(y + 1, 0, 1) : d === undefined ? Date.UTC(y, m, 1) : Date.UTC(y, m - 1, d + 1);
  return today.getTime() >= after;
}

/** The part of a baseline citation after its label: "ChannelCheck baseline DEF-999: immediate risk to life" → "immediate risk to life". */
function topicOf(citation: string): string {
  const i = citation.indexOf(': ');
  return i >= 0 ? citation.slice(i + 2) : citation;
}

export function packView(policy: CouncilPolicy, today: Date): PackView {
  const { council, baseline } = policy;
  const meta = council.data.metadata;
  const scripts = new Map(council.data.scripts.map((s) => [s.id, s]));
  const replaced = new Set(council.data.rules.flatMap((r) => r.replacesBaseline));
  return {
    councilId: council.data.id,
    council: meta.council,
    title: meta.title,
    service: meta.service ?? null,
    version: meta.version,
    date: meta.date,
    scope: meta.scope,
    contentHash: council.contentHash,
    status: {
      code: meta.status,
      label: STATUS_LABEL[meta.status],
      note: meta.statusNote ?? null,
      temporary: meta.status === 'temporary_guidance',
      guidanceOnly: meta.status === 'guidance_not_enforceable',
      reviewDue: meta.reviewDue,
      reviewOverdue: reviewOverdue(meta.reviewDue, today),
    },
    clauses: council.data.rules.map((r) => ({
      ruleId: r.id,
      citation: r.citation,
      effect: EFFECT_WORDS[r.effect],
      text: r.text,
      conditions: r.conditions,
      alternatives: r.alternatives,
      scripts: r.scripts.flatMap((id) => {
        const s = scripts.get(id);
        return s ? [{ title: s.title, text: s.text, verbatim: s.verbatim }] : [];
      }),
      replacesBaselines: r.replacesBaseline,
    })),
    baselinesFillingSilences: baseline.data.rules
      .filter((r) => !replaced.has(r.id))
      .map((r) => ({ ruleId: r.id, topic: topicOf(r.citation), effect: EFFECT_WORDS[r.effect], text: r.text })),
  };
}
