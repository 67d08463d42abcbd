/**
 * Minority fencing (opt-in, `sentinel fence-minority <name> yes`): a sentinel that still reaches
 * its master but no longer hears from a majority of the sentinels knows the master is probably
 * being replaced on the other side, and pauses its writes with a lease it must keep renewing, so
 * that acknowledged writes are not thrown away when the partition heals. These are its rules:
 * when the master may be fenced, the evidence that it is really cut off from the others, when the
 * fence is lifted, and the lease. Pure: facts and the time in, decisions out.
 */
import type { Addr } from '../addr.js';
import { addrIs } from '../addr.js';
import { majority } from './election.js';

/** The write pause we hold on a fenced master: it lapses by itself if we stop renewing it. */
export const FENCE_LEASE_MS = 2000;
/** Renewed when less than this is left: about every 600 ms, three chances per lease. */
export const FENCE_RENEW_BELOW_MS = 1400;
/** While the master may have to be fenced, its client list is read this often. */
export const CLIENT_LIST_PERIOD_MS = 100;
/** While fenced with a majority reachable again, the peers are asked for their view this often. */
export const PEER_VIEW_PERIOD_MS = 500;
/** After the master refused the pause or the client list, no new attempt for this long. */
export const FENCE_REFUSED_BACKOFF_MS = 10000;

/** fence-after-milliseconds, unset = the master's down-after-milliseconds. */
export function fenceAfter(fenceAfterMs: number | null, downAfterMs: number): number {
  return fenceAfterMs ?? downAfterMs;
}

/**
 * Peers are pinged often enough that a healthy one never looks silent for fence-after: a quarter
 * of it (a peer answering once a second would look silent at times with fence-after 1000).
 */
export function peerPingPeriod(pingPeriod: number, fenceAfterMs: number): number {
  return Math.max(50, Math.min(pingPeriod, Math.floor(fenceAfterMs / 4)));
}

export interface FenceFacts {
  readonly enabled: boolean;
  readonly tilt: boolean;
  /** Our command link to the master is up and it answered a PING recently. */
  readonly masterReachable: boolean;
  /** The master's INFO says role:master. */
  readonly reportsMaster: boolean;
  /** A failover runs: ours, or a FAILOVER the server reports. A fence must never get in its way. */
  readonly failoverRunning: boolean;
  /** Replicas known: with none, nothing could replace the master, and a fence would only stop it. */
  readonly replicas: number;
}

/**
 * Why this master must not be fenced now, or null. Off unless enabled; never in TILT (our clock
 * cannot be trusted); only a master we reach and that says it is one; never during a failover.
 */
export function fenceBlocker(f: FenceFacts): string | null {
  if (!f.enabled) return 'disabled';
  if (f.tilt) return 'tilt';
  if (!f.masterReachable) return 'master unreachable';
  if (!f.reportsMaster) return 'not reporting role master';
  if (f.failoverRunning) return 'failover running';
  if (f.replicas === 0) return 'no replica that could replace it';
  return null;
}

/**
 * Sentinels (us included) that gave a valid reply within the last fence-after: a peer counts
 * while its last acceptable PING reply is younger than the window.
 */
export function reachableSentinels(peerLastAvail: Iterable<number>, windowMs: number, now: number): number {
  let n = 1;
  for (const t of peerLastAvail) if (now - t < windowMs) n++;
  return n;
}

/** Fewer than a majority of all known sentinels (us included) answer: we are on a minority side. */
export function inMinority(reachable: number, known: number): boolean {
  return reachable < majority(known);
}

/**
 * `CLIENT LIST` of the master, reduced to what the cross-check needs: for each peer's command
 * connection (named `sentinel-<first 8 chars of its id>-cmd` by redis-sentinel and by us), the
 * smallest `idle` (seconds) among its connections.
 */
export function peerCommandIdle(clientList: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of clientList.split('\n')) {
    const name = /(?:^| )name=sentinel-([0-9a-zA-Z]{8})-cmd(?: |$)/.exec(line);
    if (!name) continue;
    const idle = /(?:^| )idle=(\d+)(?: |$)/.exec(line);
    if (!idle) continue;
    const id = name[1]!;
    const v = Number(idle[1]);
    const prev = out.get(id);
    if (prev === undefined || v < prev) out.set(id, v);
  }
  return out;
}

/**
 * What successive client lists showed of one peer's command connection at the master. `idle` is
 * whole seconds of the master's wall clock, so a live peer (a PING every second) shows 0 or 1,
 * and 2 for at most a moment when its PING arrives just after a second boundary.
 */
export interface IdleTrack {
  /** Last idle seen; Infinity = no such connection. */
  readonly idle: number;
  /** Since when the idle has been 2 or more without going down (null = it is not). */
  readonly highSince: number | null;
}

/**
 * Idle 2 must last this long (no command arrived meanwhile) before the peer counts as gone: a
 * live peer's idle 2 lasts only until its next PING, at most ~100 ms (a sentinel PINGs on the
 * first timer run, 10-19 per second, after a second without a reply). The whole-second `idle` is
 * what bounds how fast this can be: a peer's last command is known only to the second, so the
 * verdict comes 1.2-2.2 s after it.
 */
export const PEER_GONE_CONFIRM_MS = 200;

export function trackIdle(prev: IdleTrack | undefined, idle: number | undefined, now: number): IdleTrack {
  const v = idle ?? Number.POSITIVE_INFINITY;
  if (v < 2) return { idle: v, highSince: null };
  const since = prev !== undefined && prev.highSince !== null && v >= prev.idle ? prev.highSince : now;
  return { idle: v, highSince: since };
}

/**
 * A peer no longer reaches the master: no command connection, idle 3 s or more (at least two
 * missed PINGs), or idle 2 s held for PEER_GONE_CONFIRM_MS.
 */
export function peerGoneFromMaster(t: IdleTrack, now: number): boolean {
  if (t.idle >= 3) return true;
  return t.idle >= 2 && t.highSince !== null && now - t.highSince >= PEER_GONE_CONFIRM_MS;
}

/**
 * The master is cut off from the others when the sentinels that still reach it (us plus the
 * peers live at the master) are fewer than a majority: only then can the rest elect a leader and
 * replace it. Otherwise a fence would only stall the peers' hellos next to a healthy master.
 */
export function masterCutOff(peersLiveAtMaster: number, known: number): boolean {
  return 1 + peersLiveAtMaster < majority(known);
}

/** The lease is renewed when less than FENCE_RENEW_BELOW_MS is left. */
export function fenceRenewalDue(leaseUntil: number, now: number): boolean {
  return leaseUntil - now < FENCE_RENEW_BELOW_MS;
}

/** A peer's latest view of the master (a hello, or its answer to SENTINEL MASTER). */
export interface PeerView {
  /** When we learned it (0 = never). */
  readonly seenAt: number;
  readonly masterHost: string;
  readonly masterPort: number;
  readonly configEpoch: number;
}

/**
 * Lifting a fence once a majority answers again. `confirmed`: a majority (us included) holds
 * this master, in views learned since the fence began, and nobody names another master at a
 * higher config epoch: unpause. `moved-on`: someone does: keep the pause until the master is
 * converted into a replica (the new configuration reaches us through the hello rule). `wait`:
 * not enough fresh views yet.
 */
export function unfenceVerdict(views: Iterable<PeerView>, known: number, ours: Addr, configEpoch: number, since: number): 'confirmed' | 'moved-on' | 'wait' {
  let agree = 1;
  for (const v of views) {
    if (v.seenAt <= since) continue;
    const same = addrIs(ours, v.masterHost, v.masterPort);
    if (!same && v.configEpoch > configEpoch) return 'moved-on';
    // The same master at a higher epoch (a failover that came back to it) agrees too; the
    // epoch itself reaches us through the hello rule.
    if (same) agree++;
  }
  return agree >= majority(known) ? 'confirmed' : 'wait';
}

/** The fields of a SENTINEL MASTER reply (RESP2 flat list or RESP3 map) a peer view needs. */
export function peerViewFromMasterReply(reply: unknown, now: number): PeerView | null {
  if (!Array.isArray(reply)) return null;
  const f = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) f.set(String(reply[i]), reply[i + 1]);
  const ip = f.get('ip');
  const port = Number(f.get('port'));
  const epoch = Number(f.get('config-epoch'));
  if (typeof ip !== 'string' || !Number.isInteger(port) || !Number.isInteger(epoch)) return null;
  return { seenAt: now, masterHost: ip, masterPort: port, configEpoch: epoch };
}
