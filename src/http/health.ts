/**
 * Readiness, as a plain function of what the sentinel sees (table-tested): ready when not in
 * TILT, every monitored master passes CKQUORUM, and its INFO is fresh. The status code is the
 * answer (200 / 503) and the reasons are for humans, as Patroni's health endpoints do.
 */
export interface MasterReadiness {
  name: string;
  /** CKQUORUM: usable sentinels reach the quorum and a majority. */
  quorumOk: boolean;
  usable: number;
  /** ms since the master's last INFO reply (0 = never). */
  infoAgeMs: number;
  infoSeen: boolean;
}

export interface ReadinessFacts {
  tilt: boolean;
  masters: MasterReadiness[];
  /** INFO is fresh while younger than this (three INFO periods: one missed reply is not a problem). */
  infoFreshMs: number;
}

export function readinessReasons(f: ReadinessFacts): string[] {
  const why: string[] = [];
  if (f.tilt) why.push('in TILT mode');
  for (const m of f.masters) {
    if (!m.quorumOk) why.push(`${m.name}: CKQUORUM fails (${m.usable} usable sentinels)`);
    if (!m.infoSeen) why.push(`${m.name}: no INFO from the master yet`);
    else if (m.infoAgeMs > f.infoFreshMs) why.push(`${m.name}: the master's INFO is ${m.infoAgeMs} ms old`);
  }
  return why;
}
