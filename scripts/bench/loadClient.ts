/**
 * The benchmark's one HTTP client: closed loop (each connection sends its next request when the last one is
 * answered), keep-alive over a bounded http.Agent, loopback only, bounded in time. One "connection" is one
 * virtual user with their own Teams conversation.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  text: string;
}

export class LoopbackClient {
  private readonly agent: http.Agent;

  constructor(private readonly port: number, connections: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  post(body: unknown): Promise<Reply> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.port, path: '/api/messages', method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': payload.length }, timeout: 20_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out after 20 s')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type SampleKind = 'echo' | 'message' | 'step' | 'submit';

export class Samples {
  readonly times: Record<SampleKind, number[]> = { echo: [], message: [], step: [], submit: [] };
  errors = 0;
  checks = 0;
  /** The requests of the finished checks (each check's message and invokes), for a check's exact length. */
  checkRequests = 0;
  readonly errorExamples: string[] = [];

  add(kind: SampleKind, ms: number): void {
    this.times[kind].push(ms);
  }

  error(what: string): void {
    this.errors += 1;
    if (this.errorExamples.length < 5) this.errorExamples.push(what.slice(0, 300));
  }

  get requests(): number {
    return Object.values(this.times).reduce((n, t) => n + t.length, 0);
  }

  merge(other: Samples): void {
    for (const k of Object.keys(this.times) as SampleKind[]) this.times[k].push(...other.times[k]);
    this.errors += other.errors;
    this.checks += other.checks;
    this.checkRequests += other.checkRequests;
    this.errorExamples.push(...other.errorExamples.slice(0, 5 - this.errorExamples.length));
  }
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs `connections` closed loops of `user(i, deadline)` until the deadline; returns the elapsed seconds. */
export async function closedLoop(connections: number, seconds: number, user: (index: number, deadline: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, (_, i) => user(i, deadline)));
  return (performance.now() - started) / 1000;
}
