/**
 * Top self-time entries of a V8 .cpuprofile (`BENCH_CPU_PROF=<dir> npm run bench` writes one per server), or
 * top allocations of a .heapprofile (`BENCH_HEAP_PROF=<dir>`: bytes allocated where, including what was
 * collected since). Usage: npx tsx scripts/bench/profileTop.ts <file> [count] [--by-file | --by-package]
 * [--requests=<n>]
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** A sampling heap profile: a tree of allocation sites, each with the bytes sampled there. */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: HeapProfileNode[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export type Grouping = 'function' | 'file' | 'package';

/** A file's package: the npm package under node_modules, `node:` for Node's own code, or the project folder. */
function packageOf(at: string): string {
  if (at.startsWith('node:')) return 'node:';
  const parts = at.split('/');
  if (parts[0] === 'src' || parts[0] === 'scripts') return parts.slice(0, -1).join('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function native(n: Pick<ProfileNode, 'callFrame'>): string {
  const name = n.callFrame.functionName || 'native';
  return name.startsWith('(') ? name : `(${name})`;
}

function label(n: Pick<ProfileNode, 'callFrame'>, grouping: Grouping): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const at = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : url.startsWith('node:') ? url : url ? path.relative(process.cwd(), url).replace(/^.*cc-bench-build-[^/]+\//, '') : '';
  if (grouping === 'package') return at ? packageOf(at) : native(n);
  if (grouping === 'file') return at || native(n);
  return `${n.callFrame.functionName || '(anonymous)'} ${at ? `${at}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
}

export function topSelfTime(profile: Profile, count: number, grouping: Grouping = 'function'): Array<{ label: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totals = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') continue;
    busy += us;
    const key = label(n, grouping);
    totals.set(key, (totals.get(key) ?? 0) + us);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([l, us]) => ({ label: l, ms: us / 1000, share: us / busy }));
}

/** Bytes allocated at each site of a heap profile, grouped like topSelfTime's self time. */
export function topAllocations(head: HeapProfileNode, count: number, grouping: Grouping = 'function'): Array<{ label: string; bytes: number; share: number }> {
  const totals = new Map<string, number>();
  let all = 0;
  const stack: HeapProfileNode[] = [head];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.selfSize > 0) {
      const key = label(n, grouping);
      totals.set(key, (totals.get(key) ?? 0) + n.selfSize);
      all += n.selfSize;
    }
    stack.push(...(n.children ?? []));
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([l, bytes]) => ({ label: l, bytes, share: bytes / all }));
}

if (require.main === module) {
  const [file, countArg, ...flags] = process.argv.slice(2);
  const requests = Number(flags.find((f) => f.startsWith('--requests='))?.slice('--requests='.length) ?? NaN);
  if (!file) {
    process.stderr.write('usage: profileTop.ts <file.cpuprofile | file.heapprofile> [count] [--by-file | --by-package] [--requests=<n> (adds ms or KB per request)]\n');
    process.exit(2);
  }
  const grouping: Grouping = flags.includes('--by-package') ? 'package' : flags.includes('--by-file') ? 'file' : 'function';
  const read = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile | { head: HeapProfileNode };
  if ('head' in read) {
    for (const e of topAllocations(read.head, Number(countArg ?? 25), grouping)) {
      const perRequest = Number.isFinite(requests) ? `  ${(e.bytes / 1024 / requests).toFixed(2).padStart(7)} KB/req` : '';
      process.stdout.write(`${(e.share * 100).toFixed(1).padStart(5)}%  ${(e.bytes / 1024 / 1024).toFixed(1).padStart(8)} MB${perRequest}  ${e.label}\n`);
    }
    process.exit(0);
  }
  const profile = read;
  for (const e of topSelfTime(profile, Number(countArg ?? 25), grouping)) {
    const perRequest = Number.isFinite(requests) ? `  ${(e.ms / requests).toFixed(3).padStart(6)} ms/req` : '';
    process.stdout.write(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms${perRequest}  ${e.label}\n`);
  }
}
