/**
 * On-demand profiles of a benchmark server, for the measured rounds only (not start-up or warm-up): the parent
 * sends 'profile-start' and 'profile-stop' over IPC. With BENCH_CPU_PROF a CPU profile is written to
 * <dir>/<name>-<pid>.cpuprofile; with BENCH_HEAP_PROF an allocation profile (V8's sampling heap profiler,
 * counting what the garbage collector has already taken as well as what is live) to
 * <dir>/<name>-<pid>.heapprofile. Read either with profileTop.ts.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/** One allocation sample every 16 KiB on average. */
const HEAP_SAMPLING_INTERVAL = 16 * 1024;

function post(session: Session, method: string, params?: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve((result ?? {}) as Record<string, unknown>))));
}

function write(dir: string, file: string, profile: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), JSON.stringify(profile));
}

export function profileOnRequest(name: string): void {
  const cpuDir = process.env.BENCH_CPU_PROF;
  const heapDir = process.env.BENCH_HEAP_PROF;
  if (!cpuDir && !heapDir) return;
  const session = new Session();
  session.connect();
  process.on('message', (m) => {
    if (m === 'profile-start') {
      void (async () => {
        if (cpuDir) {
          await post(session, 'Profiler.enable');
          await post(session, 'Profiler.start');
        }
        if (heapDir) {
          await post(session, 'HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_INTERVAL, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        }
        process.send?.('profile-started');
      })();
    } else if (m === 'profile-stop') {
      void (async () => {
        if (cpuDir) write(cpuDir, `${name}-${process.pid}.cpuprofile`, (await post(session, 'Profiler.stop')).profile);
        if (heapDir) write(heapDir, `${name}-${process.pid}.heapprofile`, (await post(session, 'HeapProfiler.stopSampling')).profile);
        process.send?.('profile-stopped');
      })();
    }
  });
}
