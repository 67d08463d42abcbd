import type { Addr } from './addr.js';
import { hostPort, sameAddr } from './addr.js';
import { DEFAULT_SLAVE_PRIORITY } from './timing.js';
import type { IdleTrack, PeerView } from './rules/fence.js';
import type { ReconfState } from './rules/reconf.js';

export type InstanceKind = 'master' | 'slave' | 'sentinel';

/**
 * A link is the pair of connections the sentinel keeps to an instance: a command connection
 * and, for masters and replicas, a pub/sub connection. Links to the same peer sentinel are
 * shared by every master both monitor (refcount), so each peer is pinged once per period.
 * Times are ms on the core's clock; 0 means "never".
 */
export class Link {
  refcount = 1;
  disconnected = true;
  cc: number | null = null;
  pc: number | null = null;
  ccConnTime = 0;
  pcConnTime = 0;
  pcLastActivity = 0;
  /** Time of the oldest PING still unanswered; 0 when none is outstanding. */
  actPingTime: number;
  lastPingTime = 0;
  /** Last reply of any kind to a PING. */
  lastPongTime: number;
  /** Last acceptable reply (PONG, LOADING, MASTERDOWN). */
  lastAvailTime: number;
  lastReconnTime = 0;
  pendingCommands = 0;
  /** Our own address on the command connection, for hellos when announce-ip is unset. */
  localIp = '';

  constructor(now: number) {
    // A new link starts as if a PING had just been sent and answered, so an instance that can
    // never be reached still goes down after down-after-milliseconds.
    this.actPingTime = now;
    this.lastPongTime = now;
    this.lastAvailTime = now;
  }
}

export type FailoverState =
  | 'none'
  | 'wait_start'
  | 'select_slave'
  | 'send_slaveof_noone'
  | 'wait_promotion'
  | 'reconf_slaves'
  | 'update_config';

/** Fields common to masters, replicas and peer sentinels. */
export abstract class Instance {
  abstract readonly kind: InstanceKind;
  /** Unique within a core; reply tags name instances by it (actions hold no live objects). */
  id = 0;
  name: string;
  addr: Addr;
  runid: string | null = null;
  link: Link;
  /** Removed from the tables: late replies for it are ignored. */
  dead = false;

  sDown = false;
  oDown = false;
  sDownSinceTime = 0;
  oDownSinceTime = 0;
  downAfterMs: number;
  scriptKillSent = false;

  // INFO-derived state (masters and replicas).
  info = '';
  infoRefresh = 0;
  roleReported: 'master' | 'slave';
  roleReportedTime: number;
  lastPubTime = 0;
  /** From INFO: `master_failover_state` (null until seen: the server predates FAILOVER) and `redis_version`. */
  serverFailoverState: string | null = null;
  serverVersion = '';

  constructor(name: string, addr: Addr, downAfterMs: number, now: number, link?: Link) {
    this.name = name;
    this.addr = addr;
    this.downAfterMs = downAfterMs;
    this.link = link ?? new Link(now);
    this.roleReported = 'master';
    this.roleReportedTime = now;
  }
}

export class ReplicaInstance extends Instance {
  readonly kind = 'slave' as const;
  readonly master: MasterInstance;
  masterLinkDownTime = 0;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slavePriority = DEFAULT_SLAVE_PRIORITY;
  slaveReplOffset = 0;
  replicaAnnounced = true;
  slaveConfChangeTime: number;
  slaveReconfSentTime = 0;
  /** The offset it last acknowledged, as its master's INFO shows it, and when we saw that change (core clock). */
  ackOffset = -1;
  ackChangedAt = 0;
  // Failover bookkeeping: promoted / reconf states.
  promoted = false;
  reconf: ReconfState = 'none';

  constructor(master: MasterInstance, addr: Addr, now: number) {
    super(hostPort(addr.hostname, addr.port), addr, master.downAfterMs, now);
    this.master = master;
    this.roleReported = 'slave';
    this.slaveConfChangeTime = now;
  }
}

export class SentinelPeer extends Instance {
  readonly kind = 'sentinel' as const;
  readonly master: MasterInstance;
  lastHelloTime = 0;
  /** Its latest view of the master while we fence it (its answer to SENTINEL MASTER), and what the master's client list showed of it. */
  fenceView: PeerView | null = null;
  idleAtMaster: IdleTrack | undefined = undefined;
  /** The configuration its last hello announced: master address and config epoch. */
  helloMasterHost = '';
  helloMasterPort = 0;
  helloConfigEpoch = -1;
  lastMasterDownReplyTime: number;
  /** Whether its last is-master-down-by-addr answer said the master is down. */
  masterDown = false;
  /** Its last vote as told by is-master-down-by-addr, and the epoch of that vote. */
  leader: string | null = null;
  leaderEpoch = 0;

  constructor(master: MasterInstance, addr: Addr, runid: string, now: number, link?: Link) {
    super(runid, addr, master.downAfterMs, now, link);
    this.master = master;
    this.runid = runid;
    this.lastMasterDownReplyTime = now;
  }
}

/**
 * Minority fencing of one master entry (core/fence.ts). Kept apart from the failover fields: it
 * survives the address switch that the majority's failover causes, because the server we paused
 * must stay paused until it is converted into a replica, then be unpaused.
 */
export class FenceRun {
  /** off: nothing held; checking: on a minority side, reading the master's client list; fenced: paused. */
  phase: 'off' | 'checking' | 'fenced' = 'off';
  /** The server we paused (the master's address when the fence began). */
  addr: Addr | null = null;
  since = 0;
  leaseUntil = 0;
  lastListAt = 0;
  listPending = false;
  lastViewAskAt = 0;
  /** The master refused CLIENT LIST or CLIENT PAUSE: no new attempt before this time. */
  refusedUntil = 0;
  /** Fences begun since start (INFO). */
  total = 0;
}

export class MasterInstance extends Instance {
  readonly kind = 'master' as const;
  quorum: number;
  parallelSyncs = 1;
  failoverTimeout: number;
  authPass: string | undefined;
  authUser: string | undefined;
  notificationScript: string | undefined;
  clientReconfigScript: string | undefined;
  masterRebootDownAfterPeriod = 0;
  /** Set when run_id changed while master-reboot-down-after-period > 0; cleared by a PONG. */
  rebooted = false;
  rebootSinceTime = 0;
  /** rename-command table: upper-case original name -> new name (null until one is set: most have none). */
  renamedCommands: Map<string, string> | null = null;
  configEpoch = 0;
  /** Our vote: whom we voted for, in which epoch. */
  leader: string | null = null;
  leaderEpoch = 0;
  readonly slaves = new Map<string, ReplicaInstance>();
  readonly sentinels = new Map<string, SentinelPeer>();

  // Failover state.
  failoverState: FailoverState = 'none';
  failoverInProgress = false;
  forceFailover = false;
  failoverEpoch = 0;
  failoverStartTime = 0;
  failoverStateChangeTime = 0;
  failoverDelayLogged = 0;
  /** When replica selection asked the candidates for fresh INFO (0 = not yet). */
  selectInfoRequestedAt = 0;
  promotedSlave: ReplicaInstance | null = null;
  /** SENTINEL FAILOVER ... TO: the only replica this failover may promote (null: the best ranked). */
  failoverTarget: ReplicaInstance | null = null;
  /** SENTINEL FAILOVER ... COORDINATED: the master hands over with FAILOVER TO under a write pause. */
  coordinated = false;
  /** When the write pause we last asked the master for ends (core clock; 0 = none asked). */
  pauseLeaseUntil = 0;
  /** When FAILOVER TO was sent (0 = not yet), and when its EXEC was answered (0 = not yet). */
  handoverSentAt = 0;
  handoverExecAt = 0;
  /** `master_repl_offset` from its last INFO. */
  replOffset = 0;
  /** sentinel fence-minority / fence-after-milliseconds (null = down-after-milliseconds). */
  fenceMinority = false;
  fenceAfterMs: number | null = null;
  readonly fence = new FenceRun();

  constructor(name: string, addr: Addr, quorum: number, downAfterMs: number, failoverTimeout: number, now: number) {
    super(name, addr, downAfterMs, now);
    this.quorum = quorum;
    this.failoverTimeout = failoverTimeout;
  }

  /**
   * Forgets the bookkeeping of the failover run in progress (abort, reset, address switch): one
   * list, so a field added for a new kind of failover is cleared on every way out.
   */
  clearFailoverRun(): void {
    this.failoverInProgress = false;
    this.forceFailover = false;
    this.selectInfoRequestedAt = 0;
    if (this.promotedSlave) this.promotedSlave.promoted = false;
    this.promotedSlave = null;
    this.failoverTarget = null;
    this.coordinated = false;
    this.pauseLeaseUntil = 0;
    this.handoverSentAt = 0;
    this.handoverExecAt = 0;
  }

  /** The name a command must be sent under to this master's servers and peers (rename-command). */
  cmd(name: string): string {
    return this.renamedCommands === null ? name : (this.renamedCommands.get(name.toUpperCase()) ?? name);
  }
}

export type AnyInstance = MasterInstance | ReplicaInstance | SentinelPeer;

/** The master an instance belongs to (itself for a master). */
export function masterOf(ri: AnyInstance): MasterInstance {
  return ri.kind === 'master' ? ri : ri.master;
}

/** Whether `ri` is a server we hold paused with a fence (core/fence.ts): no hello PUBLISH to it, it would block our link. */
export function heldByFence(ri: AnyInstance): boolean {
  if (ri.kind === 'sentinel') return false;
  const m = masterOf(ri);
  return m.fence.phase === 'fenced' && m.fence.addr !== null && sameAddr(ri.addr, m.fence.addr);
}
