/**
 * What `sentinel-ts drill` reports: the facts gathered during a run turned into a summary (the
 * longest pause between acknowledgements, counts, the exit status) and printed for a human or
 * as one JSON object. Pure, so each rule is table-tested without processes.
 */

export interface DrillFacts {
  master: string;
  mode: 'coordinated' | 'plain';
  writesPerSecond: number;
  wait: { replicas: number; timeoutMs: number } | null;
  /** "ip:port"; null when even the first sentinel could not name it. */
  oldMaster: string | null;
  /** The address every sentinel agreed on; null when they did not agree. */
  newMaster: string | null;
  /** How many sentinels were followed. */
  sentinels: number;
  /** Clock (performance.now) when SENTINEL FAILOVER was sent; null when it never was. */
  triggeredAt: number | null;
  /** Clock when every sentinel named the new master. */
  agreedAt: number | null;
  /** Each connection the writer made to a master, with its clock. */
  connections: readonly { master: string; at: number }[];
  /** Clock of each acknowledgement, in any order. */
  ackTimes: readonly number[];
  attempted: number;
  /** Failed writes by reason (see FAILURE_REASONS); their sum is attempted − acknowledged. */
  failures: Readonly<Record<string, number>>;
  /** Acknowledged writes missing on the new master; null when not verified. */
  lostAcked: number | null;
  /** Drill keys deleted at the end; null when not attempted (--keep-keys, or no server to ask). */
  keysDeleted: number | null;
  durationMs: number;
  /** Why the drill did not complete; null when it did. */
  error: string | null;
}

/** Why a write is not counted as acknowledged (error replies are counted by their first word). */
export const FAILURE_REASONS = {
  not_connected: 'no connection to a master when the write was due (re-resolving)',
  connection_lost: 'the server closed the connection (or it broke) before the reply',
  dropped: 'in flight on a connection the drill dropped after another write failed',
  timeout: 'no reply within the command timeout',
  wait_short: 'WAIT reached fewer replicas than --wait asked for',
  unsettled: 'still in flight when the drill stopped waiting',
} as const;

/** The JSON object printed with --json; also what the human summary is made from. */
export interface DrillSummary {
  master: string;
  mode: 'coordinated' | 'plain';
  writes_per_second: number;
  wait: { replicas: number; timeout_ms: number } | null;
  old_master: string | null;
  new_master: string | null;
  sentinels: number;
  agreed_ms: number | null;
  max_gap_ms: number | null;
  /** Where the longest gap began, in ms from the failover request (negative: before it). */
  max_gap_start_ms: number | null;
  /** The masters the writer connected to, in order, with when (ms from the failover request). */
  connections: { master: string; at_ms: number | null }[];
  attempted: number;
  acknowledged: number;
  failed: number;
  failures: Record<string, number>;
  lost_acked: number | null;
  keys_deleted: number | null;
  duration_ms: number;
  error: string | null;
}

/**
 * The longest interval between two consecutive acknowledgements, from the first to the last;
 * null with fewer than two. `start` is when that interval began.
 */
export function longestGap(ackTimes: readonly number[]): { gap: number; start: number } | null {
  if (ackTimes.length < 2) return null;
  const sorted = [...ackTimes].sort((a, b) => a - b);
  let best = { gap: -1, start: sorted[0]! };
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > best.gap) best = { gap, start: sorted[i - 1]! };
  }
  return best;
}

const ms = (x: number): number => Math.round(x);

export function summarize(f: DrillFacts): DrillSummary {
  const acknowledged = f.ackTimes.length;
  const gap = longestGap(f.ackTimes);
  const failures: Record<string, number> = {};
  for (const [k, v] of Object.entries(f.failures)) if (v > 0) failures[k] = v;
  return {
    master: f.master,
    mode: f.mode,
    writes_per_second: f.writesPerSecond,
    wait: f.wait ? { replicas: f.wait.replicas, timeout_ms: f.wait.timeoutMs } : null,
    old_master: f.oldMaster,
    new_master: f.newMaster,
    sentinels: f.sentinels,
    agreed_ms: f.agreedAt !== null && f.triggeredAt !== null ? ms(f.agreedAt - f.triggeredAt) : null,
    max_gap_ms: gap ? ms(gap.gap) : null,
    max_gap_start_ms: gap && f.triggeredAt !== null ? ms(gap.start - f.triggeredAt) : null,
    connections: f.connections.map((c) => ({ master: c.master, at_ms: f.triggeredAt !== null ? ms(c.at - f.triggeredAt) : null })),
    attempted: f.attempted,
    acknowledged,
    failed: f.attempted - acknowledged,
    failures,
    lost_acked: f.lostAcked,
    keys_deleted: f.keysDeleted,
    duration_ms: ms(f.durationMs),
    error: f.error,
  };
}

/** 0: switched over, nothing acknowledged was lost; 2: switched over, some was; 1: anything else. */
export function exitCodeOf(s: DrillSummary): 0 | 1 | 2 {
  if (s.error !== null || s.new_master === null || s.lost_acked === null) return 1;
  return s.lost_acked > 0 ? 2 : 0;
}

/** One line, one object: easy to collect from many runs (`jq -s`). */
export function formatJson(s: DrillSummary): string {
  return JSON.stringify(s) + '\n';
}

function failureList(failures: Record<string, number>): string {
  const parts = Object.entries(failures)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function relative(x: number): string {
  return x >= 0 ? `${x} ms after the failover request` : `${-x} ms before the failover request`;
}

/** "a (-2000 ms), b (+310 ms)": where the writer wrote, relative to the failover request. */
function connectionList(cs: DrillSummary['connections']): string {
  if (cs.length === 0) return 'none';
  return cs.map((c) => (c.at_ms === null ? c.master : `${c.master} (${c.at_ms >= 0 ? '+' : ''}${c.at_ms} ms)`)).join(', ');
}

/** A short block of aligned `label  value` lines. */
export function formatHuman(s: DrillSummary): string {
  const rows: [string, string][] = [
    ['master', s.master],
    ['mode', s.mode + (s.wait ? `, WAIT ${s.wait.replicas} replica(s) within ${s.wait.timeout_ms} ms per write` : '')],
    ['write rate', `${s.writes_per_second} writes/s`],
    ['switchover', `${s.old_master ?? '?'} -> ${s.new_master ?? '(not agreed)'}`],
    ['sentinels agreed', s.agreed_ms !== null ? `after ${s.agreed_ms} ms (all ${s.sentinels})` : `no (${s.sentinels} followed)`],
    ['writer connected', connectionList(s.connections)],
    ['writes attempted', String(s.attempted)],
    ['acknowledged', String(s.acknowledged)],
    ['failed', `${s.failed}${failureList(s.failures)}`],
    ['lost', s.lost_acked !== null ? `${s.lost_acked} acknowledged write(s) missing on the new master` : 'not verified'],
    ['longest write gap', s.max_gap_ms !== null ? `${s.max_gap_ms} ms` + (s.max_gap_start_ms !== null ? ` (from ${relative(s.max_gap_start_ms)})` : '') : 'n/a'],
    ['duration', `${(s.duration_ms / 1000).toFixed(1)} s`],
  ];
  if (s.error !== null) rows.push(['error', s.error]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([label, value]) => `${label.padEnd(width)}${value}`).join('\n') + '\n';
}
