/**
 * Where a check's CPU goes: ChannelCheck's server CPU split over the parts of a check (the `new check`
 * message, each wizard step, the final step that records the decision and answers with the outcome card).
 * The side-by-side run loads ChannelCheck with checks cut short after 0, 1, 2, … invokes and with whole
 * checks; the CPU of one partial check, less that of the partial check one invoke shorter, is what the
 * added part costs. Pure helpers, no I/O.
 */

/** One measured run of checks cut after `cut` invokes (null: whole checks, to the outcome card). */
export interface CutRun {
  cut: number | null;
  cpuMs: number;
  requests: number;
  /** Checks finished with the outcome card (only whole checks finish). */
  checks: number;
  /** The requests those finished checks took (their messages and invokes). */
  checkRequests: number;
  /** Failed requests in the run: a run with any is refused. */
  errors: number;
}

/** A part's CPU over the repetitions: the median and the range, in ms. */
export interface PartCost {
  /** The JSON key: `message`, `step1`, …, `finalStep`. */
  key: string;
  /** As printed: `message`, `step 1`, …, `final step`. */
  label: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface CheckParts {
  parts: PartCost[];
  /** CPU of one whole check (the parts added up), over the repetitions. */
  total: Omit<PartCost, 'key' | 'label'>;
}

/**
 * CPU per partial check of one run. A check cut after k invokes is k + 1 requests, so the run started
 * requests / (k + 1) of them. A whole check's length comes from the run itself: the requests its finished
 * checks took ÷ their number (not all the run's requests ÷ checks, which would charge the checks the
 * deadline left unfinished to the finished ones). NaN when there is nothing to divide by.
 */
export function cpuPerPartialCheck(run: CutRun): number {
  const requestsPerCheck = run.cut === null ? run.checkRequests / run.checks : run.cut + 1;
  if (!Number.isFinite(requestsPerCheck) || requestsPerCheck <= 0 || !(run.requests > 0)) return NaN;
  return run.cpuMs / (run.requests / requestsPerCheck);
}

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const naming = (cut: number | null): Pick<PartCost, 'key' | 'label'> => {
  if (cut === null) return { key: 'finalStep', label: 'final step' };
  if (cut === 0) return { key: 'message', label: 'message' };
  return { key: `step${cut}`, label: `step ${cut}` };
};

const spread = (values: number[]) => ({ medianMs: median(values), minMs: Math.min(...values), maxMs: Math.max(...values) });

/**
 * The marginal CPU of each part: within each repetition, per partial check at one cut less per partial
 * check at the cut before (cut 0, the message alone, counted whole); then the median and range over the
 * repetitions. Every repetition must hold the same cuts, in any order, from 0 and with whole checks (null)
 * among them; the `final step` part is whatever whole checks add to the longest cut (the final step when
 * the cuts run to the step before it).
 */
export function cpuByPart(repetitions: CutRun[][]): CheckParts {
  if (repetitions.length === 0) throw new Error('cpuByPart: no repetition');
  const failed = repetitions.flat().reduce((n, r) => n + r.errors, 0);
  // A failed request is still a request, and a cheap one: the parts would come out wrong.
  if (failed > 0) throw new Error(`cpuByPart: ${failed} failed request(s) in the runs`);
  const order = (runs: CutRun[]) => [...runs].sort((a, b) => (a.cut ?? Infinity) - (b.cut ?? Infinity));
  const cuts = order(repetitions[0]!).map((r) => r.cut);
  if (cuts[0] !== 0) throw new Error('cpuByPart: no run of the message alone (cut 0)');
  if (cuts.at(-1) !== null) throw new Error('cpuByPart: no run of whole checks');
  if (new Set(cuts).size !== cuts.length) throw new Error('cpuByPart: a cut measured twice in one repetition');
  const marginals: number[][] = cuts.map(() => []);
  const totals: number[] = [];
  for (const rep of repetitions) {
    const runs = order(rep);
    if (runs.length !== cuts.length || runs.some((r, i) => r.cut !== cuts[i])) throw new Error('cpuByPart: repetitions with different cuts');
    const perCheck = runs.map(cpuPerPartialCheck);
    perCheck.forEach((ms, i) => marginals[i]!.push(i === 0 ? ms : ms - perCheck[i - 1]!));
    totals.push(perCheck.at(-1)!);
  }
  return {
    parts: cuts.map((cut, i) => ({ ...naming(cut), ...spread(marginals[i]!) })),
    total: spread(totals),
  };
}
