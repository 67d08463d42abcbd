/**
 * npm run sim -- --schedules N [--seed S] [--mutant NAME] [--list-mutants] [--trace] [--workers W]
 *
 * Runs N randomized fault schedules against the real sentinel core in virtual time. Seeds are
 * S, S+1, ...; a failing seed prints its trace, one event per line, and the command that
 * replays it. The last line is always `N schedules, V violations`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MUTANT_NAMES } from './mutants.js';
import type { Mutant } from './mutants.js';
import { runSchedule } from './simulate.js';
import type { RunResult } from './simulate.js';

interface Args {
  schedules: number;
  seed: number;
  mutant?: Mutant;
  trace: boolean;
  workers: number;
  listMutants: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { schedules: 100, seed: 1, trace: false, workers: Math.min(2, cpus().length), listMutants: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--schedules') a.schedules = Number(v), i++;
    else if (k === '--seed') a.seed = Number(v), i++;
    else if (k === '--workers') a.workers = Math.max(1, Number(v)), i++;
    else if (k === '--mutant') {
      if (!MUTANT_NAMES.includes(v as Mutant)) throw new Error(`unknown mutant '${v}' (see --list-mutants)`);
      a.mutant = v as Mutant;
      i++;
    } else if (k === '--trace') a.trace = true;
    else if (k === '--list-mutants') a.listMutants = true;
    else throw new Error(`unknown argument '${k}'`);
  }
  if (!Number.isInteger(a.schedules) || a.schedules < 1) throw new Error('--schedules must be a positive integer');
  if (!Number.isInteger(a.seed)) throw new Error('--seed must be an integer');
  return a;
}

interface Summary {
  seed: number;
  violations: RunResult['violations'];
  virtualMs: number;
  faults: number;
  elections: number;
  failovers: number;
  fences: number;
}

function runRange(seeds: number[], mutant: Mutant | undefined): Summary[] {
  const mutants = new Set<Mutant>(mutant ? [mutant] : []);
  return seeds.map((seed) => {
    const r = runSchedule({ seed, mutants });
    return { seed, violations: r.violations, virtualMs: r.virtualMs, faults: r.faults, elections: r.elections, failovers: r.failovers, fences: r.fences };
  });
}

if (!isMainThread) {
  const { seeds, mutant } = workerData as { seeds: number[]; mutant?: Mutant };
  for (const seed of seeds) parentPort!.postMessage(runRange([seed], mutant)[0]);
  parentPort!.postMessage('done');
} else {
  await main(process.argv.slice(2));
}

async function main(argv: string[]): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stdout.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.listMutants) {
    for (const m of MUTANT_NAMES) process.stdout.write(`${m}\n`);
    return;
  }
  const seeds = Array.from({ length: args.schedules }, (_, i) => args.seed + i);
  const started = Date.now();
  const results: Summary[] = [];
  const workers = Math.min(args.workers, seeds.length);
  let lastProgress = 0;
  const progress = (): void => {
    const now = Date.now();
    if (now - lastProgress < 1000 && results.length < seeds.length) return;
    lastProgress = now;
    const bad = results.filter((r) => r.violations.length > 0).length;
    process.stdout.write(`  ${results.length}/${seeds.length} schedules, ${bad} with violations, ${((now - started) / 1000).toFixed(1)} s\n`);
  };
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const mine = seeds.filter((_, i) => i % workers === w);
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { seeds: mine, mutant: args.mutant } });
        worker.on('message', (m: Summary | 'done') => {
          if (m === 'done') {
            void worker.terminate();
            resolve();
            return;
          }
          results.push(m);
          progress();
        });
        worker.on('error', reject);
      });
    }),
  );
  results.sort((a, b) => a.seed - b.seed);
  const failing = results.filter((r) => r.violations.length > 0);
  const virtualS = results.reduce((a, r) => a + r.virtualMs, 0) / 1000;
  const faults = results.reduce((a, r) => a + r.faults, 0);
  const elections = results.reduce((a, r) => a + r.elections, 0);
  const failovers = results.reduce((a, r) => a + r.failovers, 0);
  const fences = results.reduce((a, r) => a + r.fences, 0);
  for (const f of failing.slice(0, 3)) {
    const replay = runSchedule({ seed: f.seed, mutants: new Set(args.mutant ? [args.mutant] : []), trace: true });
    process.stdout.write(`\nseed ${f.seed}: ${f.violations.map((v) => `${v.rule} at ${(v.time / 1000).toFixed(3)} s: ${v.detail}`).join('; ')}\n`);
    for (const line of replay.trace) process.stdout.write(`${line}\n`);
    process.stdout.write(`replay: npm run sim -- --schedules 1 --seed ${f.seed}${args.mutant ? ` --mutant ${args.mutant}` : ''}\n`);
  }
  const rules = new Map<string, number>();
  for (const f of failing) for (const v of f.violations) rules.set(v.rule, (rules.get(v.rule) ?? 0) + 1);
  process.stdout.write(
    `\nvirtual time ${(virtualS / 3600).toFixed(1)} h, ${faults} faults injected, ${elections} elections, ${failovers} failovers, ${fences} fences, ` +
      `wall ${((Date.now() - started) / 1000).toFixed(1)} s${rules.size ? `; violated: ${[...rules].map(([r, n]) => `${r} x${n}`).join(', ')}` : ''}\n`,
  );
  const violations = failing.reduce((a, r) => a + r.violations.length, 0);
  process.stdout.write(`${results.length} schedules, ${violations} violations\n`);
  process.exitCode = violations > 0 ? 1 : 0;
}
