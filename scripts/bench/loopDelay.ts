/**
 * Event-loop delay of a benchmark server over each measured round, so that work that holds the main thread
 * (a synchronous SQLite COMMIT waiting for fsync, a long JSON.stringify, a major GC) shows as a stall. The
 * server samples with perf_hooks.monitorEventLoopDelay (a 1 ms timer, on only during a round): the parent
 * sends 'loop-delay-start' as a round starts (answered 'loop-delay-started') and 'loop-delay-stop' as it
 * ends (answered { loopDelay: { p50Ms, p99Ms, maxMs } }). The pure helpers below are shared with the parent.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How late the event loop ran its timer over one round, in milliseconds (NaN: no sample). */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What loopDelayOf reads: the part of a perf_hooks histogram it needs (values in nanoseconds). */
export interface DelayHistogram {
  readonly count: number;
  readonly max: number;
  percentile(p: number): number;
}

const NS_PER_MS = 1e6;

/** A histogram's p50, p99 and max, nanoseconds to milliseconds; all NaN when it holds no sample. */
export function loopDelayOf(h: DelayHistogram): LoopDelay {
  if (h.count === 0) return { p50Ms: NaN, p99Ms: NaN, maxMs: NaN };
  return { p50Ms: h.percentile(50) / NS_PER_MS, p99Ms: h.percentile(99) / NS_PER_MS, maxMs: h.max / NS_PER_MS };
}

/** The LoopDelay in a server's 'loop-delay-stop' answer, or undefined if the message is something else. */
export function loopDelayReply(m: unknown): LoopDelay | undefined {
  const d = (m as { loopDelay?: unknown } | null)?.loopDelay as Record<string, unknown> | undefined;
  if (typeof d !== 'object' || d === null) return undefined;
  // NaN crosses IPC (JSON) as null.
  const ms = (v: unknown) => (typeof v === 'number' ? v : NaN);
  return { p50Ms: ms(d.p50Ms), p99Ms: ms(d.p99Ms), maxMs: ms(d.maxMs) };
}

/** Rounds pooled: the worst round's p99 (a p99 of p99s would hide the one round with a stall). NaN if none. */
export function worstP99Ms(delays: LoopDelay[]): number {
  const p99s = delays.map((d) => d.p99Ms).filter((n) => Number.isFinite(n));
  return p99s.length ? Math.max(...p99s) : NaN;
}

/** `loop p99 1.2 ms max 15.3 ms`, as a round line shows it. */
export function formatLoopDelay(d: LoopDelay): string {
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  return `loop p99 ${f1(d.p99Ms)} ms max ${f1(d.maxMs)} ms`;
}

/** In a server child: answers the parent's 'loop-delay-start' and 'loop-delay-stop'. */
export function reportLoopDelayOnRequest(): void {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', (m) => {
    if (m === 'loop-delay-start') {
      histogram.disable();
      histogram.reset();
      histogram.enable();
      process.send?.('loop-delay-started');
    } else if (m === 'loop-delay-stop') {
      histogram.disable();
      process.send?.({ loopDelay: loopDelayOf(histogram) });
    }
  });
}
