/**
 * Partition benchmark: the scenarios of test/partition/scenario.ts (real redis-servers and
 * sentinels in network namespaces, an ioredis client writing 100 writes/s from its own host),
 * run for several configurations, printed as one markdown table per scenario with a row per
 * configuration:
 *   ts                 sentinel-ts
 *   ts-fence           sentinel-ts with minority fencing (sentinel fence-minority / fence-after-milliseconds 1000)
 *   ts-minrep          sentinel-ts, redis-servers with min-replicas-to-write 1, min-replicas-max-lag 10
 *   ts-fence-minrep    both
 *   redis              /usr/bin/redis-sentinel (when installed)
 *   redis-minrep       redis-sentinel, min-replicas
 * A configuration whose sentinel refuses its config (fencing before sentinel-ts has it) is
 * reported as skipped with the sentinel's reason; any other failure as an error, and the other
 * runs go on (the exit code is then 1).
 *
 * Columns: acknowledged writes, lost (acknowledged, missing from the final master), longest
 * time without an acknowledgement, time h1 and another server were both masters (during the
 * partition and after the heal; "/ writable": while h1 also accepted a probe write), failovers
 * (+switch-master at h2's sentinel), +fence events; the kill scenario adds how long after the
 * fencing sentinel's death writes were acknowledged again at the isolated master. With several
 * runs each cell is the median, and [min-max].
 *
 * Needs root. Usage:
 *   node dist/bench/partition.js [--partition-ms MS] [--runs N] [--only CONFIG[,CONFIG]]
 *                                [--scenario NAME[,NAME]] [--down-after MS]
 * Scenarios: isolate, sentinels-all, sentinels-h3, kill-fencer, kill-master.
 */
import fs from 'node:fs';
import { skipReason } from '../test/helpers/netns.js';
import { REDIS_SENTINEL } from '../test/helpers/paths.js';
import type { SentinelImpl } from '../test/helpers/sentinels.js';
import { SentinelStartError } from '../test/partition/cluster.js';
import { median } from '../test/partition/measure.js';
import { FENCING_LINES, MIN_REPLICAS_LINES, runScenario } from '../test/partition/scenario.js';
import type { ScenarioKind, ScenarioOptions, ScenarioResult } from '../test/partition/scenario.js';

// Each row must measure the implementation it names: SENTINEL_IMPL=redis, which makes the test
// helpers start redis-sentinel for every sentinel, must not relabel sentinel-ts rows.
delete process.env['SENTINEL_IMPL'];

interface Config {
  name: string;
  impl: SentinelImpl;
  sentinelLines: string[];
  redisLines: string[];
}

const CONFIGS: Config[] = [
  { name: 'ts', impl: 'ts', sentinelLines: [], redisLines: [] },
  { name: 'ts-fence', impl: 'ts', sentinelLines: FENCING_LINES(), redisLines: [] },
  { name: 'ts-minrep', impl: 'ts', sentinelLines: [], redisLines: MIN_REPLICAS_LINES },
  { name: 'ts-fence-minrep', impl: 'ts', sentinelLines: FENCING_LINES(), redisLines: MIN_REPLICAS_LINES },
  { name: 'redis', impl: 'redis', sentinelLines: [], redisLines: [] },
  { name: 'redis-minrep', impl: 'redis', sentinelLines: [], redisLines: MIN_REPLICAS_LINES },
];

interface Scenario {
  name: string;
  title: string;
  kind: ScenarioKind;
  extra: Partial<ScenarioOptions>;
}

const SCENARIOS: Scenario[] = [
  { name: 'isolate', title: 'isolated master: {h1 (master), client} | {h2, h3}', kind: 'isolateMaster', extra: {} },
  { name: 'sentinels-all', title: 'sentinel-only partition: every sentinel cut from the others (redis links intact)', kind: 'sentinelOnlyPartition', extra: { cutOff: 'all' } },
  { name: 'sentinels-h3', title: "sentinel-only partition: h3's sentinel cut from the other two", kind: 'sentinelOnlyPartition', extra: { cutOff: 'h3' } },
  { name: 'kill-fencer', title: "isolated master, h1's sentinel SIGKILLed once fenced (+fence; else 3 s into the partition)", kind: 'killFencingSentinel', extra: {} },
  { name: 'kill-master', title: "SIGKILL of the master's redis, no partition", kind: 'killMaster', extra: {} },
];

interface Args {
  partitionMs: number;
  runs: number;
  only: string[];
  scenarios: string[];
  downAfterMs: number;
}

function parseArgs(): Args {
  const a: Args = { partitionMs: 20000, runs: 1, only: [], scenarios: [], downAfterMs: 5000 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1] ?? '';
    if (argv[i] === '--partition-ms') a.partitionMs = Number(v);
    else if (argv[i] === '--runs') a.runs = Number(v);
    else if (argv[i] === '--only') a.only.push(...v.split(','));
    else if (argv[i] === '--scenario') a.scenarios.push(...v.split(','));
    else if (argv[i] === '--down-after') a.downAfterMs = Number(v);
    else throw new Error(`unknown argument ${argv[i]} (see the top of bench/partition.ts)`);
  }
  if (!(a.runs >= 1) || !(a.partitionMs > 0) || !(a.downAfterMs > 0)) throw new Error('--runs, --partition-ms and --down-after take positive numbers');
  for (const o of a.only) if (!CONFIGS.some((c) => c.name === o)) throw new Error(`unknown config ${o}: ${CONFIGS.map((c) => c.name).join(', ')}`);
  for (const s of a.scenarios) if (!SCENARIOS.some((x) => x.name === s)) throw new Error(`unknown scenario ${s}: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return a;
}

/** One table cell: the median of the runs' values, and their range when there are several. */
function cell(values: number[]): string {
  const xs = values.filter((x) => !Number.isNaN(x));
  if (xs.length === 0) return '-';
  const m = Math.round(median(xs));
  if (xs.length === 1) return String(m);
  return `${m} [${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}]`;
}

const COLUMNS: [string, (r: ScenarioResult) => number][] = [
  ['acked', (r) => r.acknowledged],
  ['lost', (r) => r.lost],
  ['longest gap ms', (r) => r.longestGapMs],
  ['dual-master in partition ms', (r) => r.dualMaster.faultMs],
  ['/ writable', (r) => r.dualMaster.faultWritableMs],
  ['dual-master after heal ms', (r) => r.dualMaster.afterHealMs],
  ['/ writable', (r) => r.dualMaster.afterHealWritableMs],
  ['failovers', (r) => r.failovers],
  ['+fence', (r) => r.eventCounts['+fence'] ?? 0],
];
const KILL_COLUMN: [string, (r: ScenarioResult) => number] = ['writes resumed after kill ms', (r) => r.timeline.writesResumedAfterKillMs ?? NaN];

/** What happened to one configuration in one scenario. */
type Row = { results: ScenarioResult[] } | { skipped: string } | { error: string };

function table(s: Scenario, rows: Map<string, Row>): string {
  const cols = s.kind === 'killFencingSentinel' ? [...COLUMNS, KILL_COLUMN] : COLUMNS;
  const lines = [`| config | ${cols.map((c) => c[0]).join(' | ')} |`, `| --- | ${cols.map(() => '---:').join(' | ')} |`];
  for (const [name, row] of rows) {
    if ('results' in row) lines.push(`| ${name} | ${cols.map(([, f]) => cell(row.results.map(f))).join(' | ')} |`);
    else if ('skipped' in row) lines.push(`| ${name} | skipped: ${row.skipped.replace(/\|/g, '\\|')} |`);
    else lines.push(`| ${name} | error: ${row.error.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs();
  const why = skipReason();
  if (why) {
    process.stderr.write(`bench:partition cannot run: ${why}\n`);
    process.exit(1);
  }
  const configs = CONFIGS.filter((c) => args.only.length === 0 || args.only.includes(c.name));
  const scenarios = SCENARIOS.filter((s) => args.scenarios.length === 0 || args.scenarios.includes(s.name));
  const say = (l: string): boolean => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
  /** Configurations that cannot start, with the reason: not tried again. */
  const refused = new Map<string, string>();
  if (!fs.existsSync(REDIS_SENTINEL)) for (const c of configs) if (c.impl === 'redis') refused.set(c.name, `${REDIS_SENTINEL} not installed`);
  let failed = false;
  const out: string[] = [
    `# Partition benchmark`,
    '',
    `partition ${args.partitionMs} ms, down-after ${args.downAfterMs} ms, failover-timeout 10000 ms, quorum 2, ${args.runs} run(s) per cell` + (args.runs > 1 ? ' (median [min-max])' : ''),
  ];
  for (const s of scenarios) {
    const rows = new Map<string, Row>();
    for (const c of configs) {
      const reason = refused.get(c.name);
      if (reason) {
        rows.set(c.name, { skipped: reason });
        continue;
      }
      const results: ScenarioResult[] = [];
      try {
        for (let i = 0; i < args.runs; i++) {
          say(`${s.name} / ${c.name}: run ${i + 1} of ${args.runs}`);
          results.push(
            await runScenario(s.kind, {
              impl: c.impl,
              sentinelLines: c.sentinelLines,
              redisLines: c.redisLines,
              partitionMs: args.partitionMs,
              downAfterMs: args.downAfterMs,
              ...s.extra,
              log: (l) => say(`  ${l}`),
            }),
          );
          const r = results[results.length - 1]!;
          say(`  acked ${r.acknowledged}, lost ${r.lost}, longest gap ${r.longestGapMs} ms, failovers ${r.failovers}` + (r.writerClientRestarts ? `, writer client replaced ${r.writerClientRestarts}x` : ''));
        }
        rows.set(c.name, { results });
      } catch (e) {
        if (e instanceof SentinelStartError && e.refusedConfig) {
          refused.set(c.name, `sentinel refused its config: ${e.reason}`);
          rows.set(c.name, { skipped: refused.get(c.name)! });
          say(`  skipped: ${e.reason}`);
        } else {
          failed = true;
          const msg = (e as Error).message.split('\n')[0] ?? String(e);
          rows.set(c.name, results.length > 0 ? { results } : { error: msg });
          say(`  error: ${(e as Error).stack ?? msg}`);
        }
      }
    }
    out.push('', `## ${s.title}`, '', table(s, rows));
    // Each table as soon as it is complete, so a long run shows progress.
    process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
