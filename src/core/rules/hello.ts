/**
 * Hellos: how sentinels find each other and propagate a master's configuration. Every sentinel
 * publishes, every publish-period, its address, run id, current epoch and its view of the master
 * (address and config epoch); a receiver adopts a higher current epoch, and switches to a
 * configuration with a higher config epoch than its own.
 * Pure: the hello and what we know in, decisions out.
 */
import type { Addr } from '../addr.js';
import { addrIs } from '../addr.js';
import { majority } from './election.js';

/** A peer as hello bookkeeping sees it. */
export interface HelloPeerFacts {
  readonly runid: string | null;
  readonly addr: Addr;
}

/** Whether a known peer is the one a hello (ip, port, run id) describes; null fields match anything. */
export function peerMatches(p: HelloPeerFacts, host: string | null, port: number, runid: string | null): boolean {
  if (runid !== null && p.runid !== runid) return false;
  if (host !== null && !addrIs(p.addr, host, port)) return false;
  return true;
}

/**
 * What a hello from an unknown (address, run id) pair means: the same run id at a new address
 * (the peer moved: an address switch), another run id at a known address (that old entry is
 * obsolete: invalid address), or a peer never seen.
 */
export type HelloPeerChange<P> = { kind: 'address-switch'; old: P } | { kind: 'invalid-addr'; obsolete: P } | { kind: 'new' };

export function classifyUnknownPeer<P extends HelloPeerFacts>(peers: Iterable<P>, host: string, port: number, runid: string): HelloPeerChange<P> {
  const list = [...peers];
  const old = list.find((p) => p.runid === runid);
  if (old) return { kind: 'address-switch', old };
  const other = list.find((p) => peerMatches(p, host, port, null));
  if (other && other.runid) return { kind: 'invalid-addr', obsolete: other };
  return { kind: 'new' };
}

/** A configuration replaces ours only when its config epoch is strictly higher. */
export function isNewerConfig(ours: number, theirs: number): boolean {
  return ours < theirs;
}

/** Whether a hello's master address differs from the one we announce (by port, IP or host name). */
export function announcesOtherAddress(masterIp: string, masterPort: number, ours: Addr): boolean {
  return !addrIs(ours, masterIp, masterPort);
}

/** Our hello to an instance is due every publish-period. */
export function helloDue(lastPubTime: number, publishPeriod: number, now: number): boolean {
  return now - lastPubTime > publishPeriod;
}

/** A peer's latest hello as configuration agreement reads it. */
export interface HelloView {
  readonly lastHelloTime: number;
  readonly helloConfigEpoch: number;
  /** The master its hello announced. */
  readonly helloMasterHost: string;
  readonly helloMasterPort: number;
}

/**
 * Whether a majority of all known sentinels (us included) announced, in hellos of the last two
 * publish periods, exactly our configuration of this master: then no newer configuration is
 * about to arrive, and imposing ours need not wait.
 */
export function configConfirmedByMajority(peers: Iterable<HelloView>, peerCount: number, ours: Addr, configEpoch: number, publishPeriod: number, now: number): boolean {
  let agree = 1;
  for (const s of peers) {
    if (now - s.lastHelloTime > publishPeriod * 2) continue;
    if (s.helloConfigEpoch === configEpoch && addrIs(ours, s.helloMasterHost, s.helloMasterPort)) agree++;
  }
  return agree >= majority(peerCount + 1);
}
