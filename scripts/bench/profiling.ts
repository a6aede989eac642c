/**
 * On-demand CPU profile of a benchmark server, for the measured rounds only (not start-up or warm-up):
 * the parent sends 'profile-start' and 'profile-stop' over IPC; the profile is written to
 * $BENCH_CPU_PROF/<name>-<pid>.cpuprofile (read it with profileTop.ts).
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

export function profileOnRequest(name: string): void {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return;
  const session = new Session();
  session.connect();
  process.on('message', (m) => {
    if (m === 'profile-start') {
      session.post('Profiler.enable', () => session.post('Profiler.start', () => process.send?.('profile-started')));
    } else if (m === 'profile-stop') {
      session.post('Profiler.stop', (err, result) => {
        if (!err) {
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        }
        process.send?.('profile-stopped');
      });
    }
  });
}
