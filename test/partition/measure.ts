/**
 * The figures of a partition scenario, computed from what the writer and the agents recorded:
 * pure functions of timestamped records, so they are unit-tested without any namespace.
 */

/** The subset of a role sample these functions read (remote.ts RoleSample fits). */
export interface Sample {
  t: number;
  host: string;
  role: string;
  writable: boolean | null;
}

/**
 * The longest time within [from, to] without an acknowledged write: between two consecutive
 * acknowledgements, from `from` to the first one, and from the last one to `to` (the whole
 * window when there is none). `ackTimes` in any order.
 */
export function longestGap(ackTimes: readonly number[], from: number, to: number): number {
  const ts = ackTimes.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let prev = from;
  let longest = 0;
  for (const t of [...ts, to]) {
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  return longest;
}

/**
 * How long, within [from, to), `old` reported role:master (and, with `writable`, accepted a
 * probe write) while at least one other host reported role:master. Each host's state is that
 * of its latest sample; a host without a sample in the last `staleMs` counts as unknown, never
 * as a master (a stalled observer must not inflate the figure).
 */
export function dualMasterMs(samples: readonly Sample[], old: string, from: number, to: number, opts: { writable?: boolean; staleMs?: number } = {}): number {
  if (to <= from) return 0;
  const staleMs = opts.staleMs ?? 2000;
  const byHost = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = byHost.get(s.host) ?? [];
    list.push(s);
    byHost.set(s.host, list);
  }
  for (const list of byHost.values()) list.sort((a, b) => a.t - b.t);
  const cuts = new Set<number>([from]);
  for (const s of samples) if (s.t > from && s.t < to) cuts.add(s.t);
  // Staleness also changes a state: add the instants where a sample's validity runs out.
  for (const s of samples) if (s.t + staleMs > from && s.t + staleMs < to) cuts.add(s.t + staleMs);
  const points = [...cuts].sort((a, b) => a - b);
  const cursor = new Map<string, number>();
  /** The sample of `host` in force at `t` (the samples are visited in time order). */
  const at = (host: string, t: number): Sample | undefined => {
    const list = byHost.get(host) ?? [];
    let i = cursor.get(host) ?? -1;
    while (i + 1 < list.length && list[i + 1]!.t <= t) i++;
    cursor.set(host, i);
    const s = list[i];
    return s && t - s.t < staleMs ? s : undefined;
  };
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1] ?? to;
    const o = at(old, start);
    const oldCounts = o?.role === 'master' && (!opts.writable || o.writable === true);
    const other = [...byHost.keys()].some((h) => h !== old && at(h, start)?.role === 'master');
    if (oldCounts && other) total += end - start;
  }
  return total;
}

/** The acknowledged numbers missing from the final list, ascending. */
export function lostWrites(acked: readonly number[], finalList: readonly number[]): number[] {
  const present = new Set(finalList);
  return acked.filter((n) => !present.has(n)).sort((a, b) => a - b);
}

/** The median of the numbers that are not NaN (NaN when there are none). */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
