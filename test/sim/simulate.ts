/**
 * One simulated run: a random deployment and a random fault schedule drawn from a seed, a
 * safety phase with faults, then a liveness phase (faults healed, everything restarted) that
 * must converge. Returns the violations and a one-line-per-event trace.
 */
import type { Mutant } from './mutants.js';
import { newMasterConfig } from '../../src/config/model.js';
import { Checkers } from './checkers.js';
import type { Violation } from './checkers.js';
import { RedisModel } from './redis-model.js';
import { SentinelHost } from './sentinel-host.js';
import type { Persisted } from './sentinel-host.js';
import { Clock, Network, mulberry32 } from './world.js';

export interface RunOptions {
  seed: number;
  mutants?: ReadonlySet<Mutant>;
  /** Keep the trace (costs memory; on for failing seeds and replays). */
  trace?: boolean;
  /**
   * After convergence: stop writes, let offsets settle, ask one sentinel for SENTINEL FAILOVER
   * DRYRUN, then run that failover; the replica it selects must be the one the plan named.
   */
  dryRunProbe?: boolean;
}

export interface RunResult {
  seed: number;
  violations: Violation[];
  trace: string[];
  virtualMs: number;
  faults: number;
  elections: number;
  failovers: number;
  /** +fence events (minority fencing, on in half the runs). */
  fences: number;
  /** With dryRunProbe: the replica the plan named and the one the failover selected. */
  dryRun?: { planned: string | null; selected: string | null };
}

const MASTER = 'mymaster';

export function runSchedule(opts: RunOptions): RunResult {
  const rng = mulberry32(opts.seed);
  const clock = new Clock();
  const net = new Network(clock, rng);
  const servers = new Map<string, RedisModel>();
  const world = { clock, net, rng, servers };
  const trace: string[] = [];
  const note = (who: string, what: string): void => {
    if (opts.trace) trace.push(`${(clock.now / 1000).toFixed(3).padStart(9)} ${who.padEnd(16)} ${what}`);
  };

  // --- the deployment
  const nSentinels = rng() < 0.5 ? 3 : 5;
  const majority = Math.floor(nSentinels / 2) + 1;
  const quorum = 1 + Math.floor(rng() * majority);
  const nReplicas = 2 + Math.floor(rng() * 2);
  const downAfter = 1000 + Math.floor(rng() * 2000);
  const failoverTimeout = 3000 + Math.floor(rng() * 5000);
  // Minority fencing on half the runs, drawn from a generator of its own so that every other
  // draw (and so every schedule without fencing) stays what it was for a given seed.
  const fenceRng = mulberry32(opts.seed ^ 0x5eed);
  const fencing = fenceRng() < 0.5;
  const fenceAfter = 300 + Math.floor(fenceRng() * downAfter);
  const master = new RedisModel(6379, world, null);
  servers.set(master.addr, master);
  for (let i = 0; i < nReplicas; i++) {
    const r = new RedisModel(6380 + i, world, master.addr, rng() < 0.25 ? 0 : 1 + Math.floor(rng() * 100));
    servers.set(r.addr, r);
  }
  const fresh = (): Persisted => {
    const mc = newMasterConfig(MASTER, '127.0.0.1', master.port, quorum);
    mc.downAfterMs = downAfter;
    mc.failoverTimeoutMs = failoverTimeout;
    if (fencing) {
      mc.fenceMinority = true;
      mc.fenceAfterMs = fenceAfter;
    }
    return {
      globals: { currentEpoch: 0, announcePort: 0, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false },
      masters: [mc],
    };
  };
  note('world', `${nSentinels} sentinels quorum ${quorum}, ${nReplicas} replicas (priorities ${[...servers.values()].slice(1).map((s) => s.priority).join(',')}), down-after ${downAfter}, failover-timeout ${failoverTimeout}${fencing ? `, fencing after ${fenceAfter}` : ''}`);

  let checkers: Checkers;
  const hosts: SentinelHost[] = [];
  const selections: { host: SentinelHost; name: string }[] = [];
  const observer = {
    action: (h: SentinelHost, a: import('../../src/core/actions.js').Action) => {
      if (a.type === 'event' && a.channel === '+selected-slave') selections.push({ host: h, name: a.message.split(' ')[1] ?? '' });
      if (opts.trace && a.type === 'event' && a.level !== 'debug' && a.channel !== '+role-change' && a.channel !== '-role-change') note(h.addr, `${a.channel} ${a.message}`);
      checkers.observe(h, a);
    },
    voteReply: (h: SentinelHost, name: string, leader: string, epoch: number) => checkers.voteReply(h, name, leader, epoch),
  };
  checkers = new Checkers(() => clock.now, servers);
  for (let i = 0; i < nSentinels; i++) hosts.push(new SentinelHost(26379 + i, world, fresh(), observer, opts.mutants ?? new Set()));

  const tickServers = (): void => {
    for (const s of servers.values()) s.replicate();
    clock.after(100, tickServers);
  };
  clock.after(100, tickServers);

  // --- the safety phase: random faults
  let faults = 0;
  const faultPhaseMs = 20_000 + Math.floor(rng() * 30_000);
  const allAddrs = (): string[] => [...servers.keys(), ...hosts.map((h) => h.addr)];
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const partitionBetween = (a: string[], b: string[], symmetric: boolean): void => {
    for (const x of a) {
      for (const y of b) {
        net.faults.blocked.add(`${x}>${y}`);
        if (symmetric) net.faults.blocked.add(`${y}>${x}`);
      }
    }
  };
  const faultKinds: [number, () => void][] = [
    [3, () => {
      const s = pick([...servers.values()].filter((x) => x.alive));
      if (!s) return;
      s.crash();
      note('nemesis', `crash server ${s.addr} (${s.role})`);
    }],
    [3, () => {
      const s = pick([...servers.values()].filter((x) => !x.alive));
      if (!s) return;
      const lose = rng() < 0.3;
      s.restart(lose);
      note('nemesis', `restart server ${s.addr}${lose ? ' with an empty dataset' : ''} as ${s.role}`);
    }],
    [2, () => {
      const h = pick(hosts.filter((x) => x.alive));
      if (!h) return;
      if (rng() < 0.3) h.snapshotStale();
      h.crash();
      note('nemesis', `crash sentinel ${h.addr}`);
    }],
    [2, () => {
      const h = pick(hosts.filter((x) => !x.alive));
      if (!h) return;
      const r = rng();
      const mode = r < 0.75 ? 'persisted' : r < 0.9 && h.stale ? 'stale' : 'lost';
      checkers.restarted(h);
      h.restart(mode, fresh());
      if (mode === 'lost' && h.core) checkers.lostConfig(h.core.myid);
      note('nemesis', `restart sentinel ${h.addr} with ${mode} config`);
    }],
    [3, () => {
      const addrs = allAddrs();
      const side = addrs.filter(() => rng() < 0.5);
      const other = addrs.filter((a) => !side.includes(a));
      const symmetric = rng() < 0.7;
      partitionBetween(side, other, symmetric);
      note('nemesis', `partition ${symmetric ? '' : '(one-way) '}[${side.join(' ')}] | [${other.join(' ')}]`);
    }],
    [2, () => {
      const addrs = allAddrs();
      const lone = pick(addrs);
      partitionBetween([lone], addrs.filter((a) => a !== lone), true);
      note('nemesis', `isolate ${lone}`);
    }],
    [4, () => {
      net.faults.blocked.clear();
      note('nemesis', 'heal all partitions');
    }],
    [1, () => {
      const h = pick(hosts.filter((x) => x.alive));
      if (!h) return;
      const ms = 200 + Math.floor(rng() * 4000);
      h.stalledUntil = clock.now + ms;
      note('nemesis', `stall ${h.addr} for ${ms} ms`);
    }],
    [1, () => {
      const h = pick(hosts);
      const jump = Math.floor((rng() - 0.3) * 6000);
      h.clockOffset += jump;
      note('nemesis', `clock of ${h.addr} jumps ${jump} ms`);
    }],
    [1, () => {
      const h = pick(hosts);
      h.slowWriteMs = rng() < 0.5 ? 0 : Math.floor(rng() * 1500);
      note('nemesis', `config writes on ${h.addr} take ${h.slowWriteMs} ms`);
    }],
    [1, () => {
      net.faults.delayMaxMs = rng() < 0.5 ? 3 : 3 + rng() * 400;
      net.faults.resetProbability = rng() < 0.6 ? 0 : rng() * 0.01;
      net.faults.duplicateProbability = rng() < 0.5 ? 0 : rng() * 0.3;
      note(
        'nemesis',
        `network delay up to ${net.faults.delayMaxMs.toFixed(0)} ms, reset probability ${net.faults.resetProbability.toFixed(4)}, ` +
          `hello duplication ${net.faults.duplicateProbability.toFixed(2)}`,
      );
    }],
    [1, () => {
      // A hello that claims our own config epoch with another master address (what a
      // concurrent, conflicting configuration of the same epoch looks like). Only a strictly
      // newer epoch may change a sentinel's master, so this must change nothing.
      const live = hosts.filter((x) => x.alive && x.core);
      const h = pick(live);
      const peer = pick(live.filter((x) => x !== h));
      if (!h || !peer || !h.core || !peer.core) return;
      const m = h.core.masterSnapshot(MASTER);
      if (!m) return;
      const cur = m;
      const other = pick([...servers.values()].filter((s) => s.port !== cur.port));
      if (!other) return;
      const payload = `127.0.0.1,${peer.port},${peer.core.myid},${h.core.currentEpoch},${MASTER},127.0.0.1,${other.port},${m.configEpoch}`;
      note('nemesis', `hello to ${h.addr} claiming epoch ${m.configEpoch} for ${other.addr}`);
      h.injectHello(payload);
      const after = h.core?.masterSnapshot(MASTER);
      if (after && after.port !== cur.port) {
        checkers.violations.push({ time: clock.now, rule: 'switch-only-on-newer-epoch', detail: `${h.addr} switched to ${after.port} on an equal epoch` });
      }
    }],
  ];
  const totalWeight = faultKinds.reduce((a, [w]) => a + w, 0);
  let t = 2000 + rng() * 5000;
  while (t < faultPhaseMs) {
    clock.at(t, () => {
      let r = rng() * totalWeight;
      for (const [w, f] of faultKinds) {
        r -= w;
        if (r <= 0) {
          faults++;
          f();
          net.partitionsChanged();
          break;
        }
      }
    });
    t += 500 + rng() * 5000;
  }
  const check = (): void => {
    if (checkers.violations.length > 0 && !opts.trace) clockStop = true;
  };
  let clockStop = false;
  let dryRun: RunResult['dryRun'];
  /** The dry-run property: in a quiet world, the failover selects the replica the plan named. */
  const probeDryRun = (): NonNullable<RunResult['dryRun']> => {
    for (const s of servers.values()) s.writesPaused = true;
    // Quiet until every sentinel's cached INFO shows the replicas caught up: the plan reads the
    // cache, the selection asks afresh.
    clock.runUntil(clock.now + 11_000, check);
    const h = pick(hosts.filter((x) => x.alive && x.core));
    const core = h?.core;
    if (!h || !core) return { planned: null, selected: null };
    // In TILT the sentinel judges nothing (its SDOWN flags are frozen) and a failover waits for
    // TILT to end, on facts the plan could not see: probe a sentinel out of TILT.
    const tiltEnd = clock.now + 35_000;
    while (core.snapshot().tilt && clock.now < tiltEnd) clock.runUntil(clock.now + 500, check);
    const plan = core.failoverPlan(MASTER, h.coreNow());
    note(h.addr, `dry run: would-start ${plan.wouldStart}, selected ${plan.selected ?? '-'}`);
    if (!plan.wouldStart) return { planned: null, selected: null };
    const before = selections.length;
    core.failover(MASTER, h.coreNow());
    h.flush();
    const end = clock.now + 10_000;
    while (clock.now < end && !selections.slice(before).some((x) => x.host === h)) clock.runUntil(clock.now + 100, check);
    const selected = selections.slice(before).find((x) => x.host === h)?.name ?? null;
    if (selected !== plan.selected) {
      checkers.violations.push({ time: clock.now, rule: 'dry-run-names-the-selected-replica', detail: `plan ${plan.selected}, selected ${selected ?? 'none'}` });
    }
    return { planned: plan.selected, selected };
  };
  clock.runUntil(faultPhaseMs, check);

  // --- the liveness phase: heal everything, restart everything, no more faults
  if (!clockStop) {
    net.faults.blocked.clear();
    net.partitionsChanged();
    net.faults.resetProbability = 0;
    net.faults.duplicateProbability = 0;
    net.faults.delayMaxMs = 3;
    for (const h of hosts) {
      h.slowWriteMs = 0;
      if (!h.alive) {
        checkers.restarted(h);
        h.restart('persisted', fresh());
      }
    }
    for (const s of servers.values()) if (!s.alive) s.restart(false);
    note('nemesis', 'faults stop: healed, everything restarted');
    const deadline = clock.now + failoverTimeout * 6 + 60_000;
    let ok = { ok: false, why: 'not checked' };
    while (clock.now < deadline) {
      clock.runUntil(clock.now + 1000, check);
      ok = checkers.converged(hosts, MASTER);
      if (ok.ok) break;
    }
    if (!ok.ok) checkers.violations.push({ time: clock.now, rule: 'liveness', detail: ok.why });
    if (ok.ok && opts.dryRunProbe) dryRun = probeDryRun();
  }
  return {
    seed: opts.seed,
    ...(dryRun ? { dryRun } : {}),
    violations: checkers.violations,
    trace,
    virtualMs: clock.now,
    faults: faults + net.faultCount,
    elections: checkers.elections,
    failovers: checkers.failovers,
    fences: checkers.fences,
  };
}
