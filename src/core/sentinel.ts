/**
 * The sentinel's decisions, as a deterministic state machine.
 *
 * The core never touches sockets, timers, files or the real clock. The shell feeds it events
 * (a tick carrying the time, a connection opened or closed, a reply, a pub/sub message, an admin
 * command) and carries out the actions it queues (connect, send, close, publish an event,
 * persist the config, exit), in order, after every call. Randomness comes from an injected
 * function, so a simulator can replay any run from a seed.
 */
import type { KnownReplica, KnownSentinel, MasterConfig, SentinelGlobals } from '../config/model.js';
import { newMasterConfig } from '../config/model.js';
import type { Action, LogLevel, ReplyKind, ReplyTag, Wire } from './actions.js';
import { isWireError } from './actions.js';
import type { Addr } from './addr.js';
import { hostPort, isIpLiteral } from './addr.js';
import { formatHello, parseHello } from './hello.js';
import { parseInfo } from './info.js';
import type { AnyInstance } from './instance.js';
import { Instance, Link, MasterInstance, ReplicaInstance, SentinelPeer, masterOf } from './instance.js';
import type { FailoverState } from './instance.js';
import type { Timing } from './timing.js';
import { DEFAULT_TIMING, HELLO_CHANNEL, MAX_PENDING_COMMANDS } from './timing.js';
import { SentinelError } from '../util/errors.js';

/**
 * Planted bugs for the simulator's self-test (`npm run sim -- --mutant NAME`): each one breaks a
 * safety rule, and the simulator must catch every one. Never set outside tests.
 */
export const MUTANTS = [
  'vote-twice-in-epoch',
  'count-votes-for-other-leader',
  'reply-vote-before-persist',
  'ignore-priority-zero',
  'switch-config-on-equal-epoch',
  'drop-majority-rule',
] as const;
export type Mutant = (typeof MUTANTS)[number];

export interface CoreOptions {
  /** Test only: planted bugs (see MUTANTS). */
  mutants?: ReadonlySet<Mutant>;
  globals: SentinelGlobals;
  masters: MasterConfig[];
  /** Our listening port, announced in hellos unless announce-port is set. */
  port: number;
  /** Our requirepass: the password used towards peers when sentinel-pass is unset. */
  requirepass?: string;
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

const HEX = '0123456789abcdef';
const SIMFAILURE_CRASH_AFTER_ELECTION = 1;
/** How long replica selection waits for the fresh INFO it asked the candidates for. */
const SELECT_INFO_WAIT_MS = 1000;
const SIMFAILURE_CRASH_AFTER_PROMOTION = 2;

/** Lower priority first, then larger replication offset, then smaller run id (missing last). */
function compareForPromotion(a: ReplicaInstance, b: ReplicaInstance): number {
  if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
  if (a.slaveReplOffset !== b.slaveReplOffset) return a.slaveReplOffset > b.slaveReplOffset ? -1 : 1;
  if (a.runid === null && b.runid === null) return 0;
  if (a.runid === null) return 1;
  if (b.runid === null) return -1;
  const x = a.runid.toLowerCase();
  const y = b.runid.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export class SentinelCore {
  readonly masters = new Map<string, MasterInstance>();
  myid: string;
  currentEpoch: number;
  announceIp: string;
  announcePort: number;
  denyScriptsReconfig: boolean;
  resolveHostnames: boolean;
  announceHostnames: boolean;
  sentinelUser: string;
  sentinelPass: string;
  readonly timing: Timing = { ...DEFAULT_TIMING };
  port: number;
  requirepass: string;

  tilt = false;
  tiltStartTime = 0;
  totalTilt = 0;
  private previousTickTime: number;
  simFailureFlags = 0;

  private readonly random: () => number;
  private readonly mutants: ReadonlySet<Mutant>;
  /** reply-vote-before-persist mutant: the persist that should have preceded the reply. */
  private deferredPersist = false;
  private actions: Action[] = [];
  private nextConnId = 1;
  private readonly conns = new Map<number, { link: Link; which: 'cc' | 'pc'; established: boolean }>();
  /** Set when the id was generated here and must be persisted at start. */
  readonly generatedId: boolean;

  constructor(opts: CoreOptions) {
    this.random = opts.random;
    this.mutants = opts.mutants ?? new Set();
    const g = opts.globals;
    this.generatedId = !g.myid;
    this.myid = g.myid ?? this.randomId();
    this.currentEpoch = g.currentEpoch;
    this.announceIp = g.announceIp ?? '';
    this.announcePort = g.announcePort;
    this.denyScriptsReconfig = g.denyScriptsReconfig;
    this.resolveHostnames = g.resolveHostnames;
    this.announceHostnames = g.announceHostnames;
    this.sentinelUser = g.sentinelUser ?? '';
    this.sentinelPass = g.sentinelPass ?? '';
    this.port = opts.port;
    this.requirepass = opts.requirepass ?? '';
    this.previousTickTime = opts.now;
    const now = opts.now;
    for (const mc of opts.masters) this.loadMaster(mc, now);
    if (this.generatedId) {
      this.log('notice', `Sentinel ID is ${this.myid}`);
      this.persist();
    }
    for (const m of this.masters.values()) this.event('warning', '+monitor', m, `quorum ${m.quorum}`);
  }

  // ------------------------------------------------------------------ plumbing

  /** The actions queued since the last call, in the order they must be carried out. */
  takeActions(): Action[] {
    const a = this.actions;
    this.actions = [];
    return a;
  }

  private randomId(): string {
    let s = '';
    for (let i = 0; i < 40; i++) s += HEX[Math.floor(this.random() * 16)];
    return s;
  }

  private persist(): void {
    this.actions.push({ type: 'persist' });
  }

  log(level: LogLevel, message: string): void {
    this.actions.push({ type: 'log', level, message });
  }

  /** The address as shown to the outside: host name with announce-hostnames, else IP. */
  announceAddr(a: Addr): string {
    return this.announceHostnames ? a.hostname : a.ip;
  }

  /**
   * Queues an event. With an instance, the message starts with
   * `<kind> <name> <ip> <port>` (plus ` @ <master> <ip> <port>` for replicas and sentinels).
   */
  event(level: LogLevel, channel: string, ri: AnyInstance | null, extra?: string): void {
    let msg = '';
    if (ri) {
      msg = `${ri.kind} ${ri.name} ${this.announceAddr(ri.addr)} ${ri.addr.port}`;
      if (ri.kind !== 'master') {
        const m = ri.master;
        msg += ` @ ${m.name} ${this.announceAddr(m.addr)} ${m.addr.port}`;
      }
      if (extra !== undefined) msg += ` ${extra}`;
    } else {
      msg = extra ?? '';
    }
    this.emit(level, channel, msg, ri ? masterOf(ri) : undefined);
  }

  /**
   * An event about master `m` whose message is given whole (+switch-master, +new-epoch,
   * +vote-for-leader): like redis, it still runs the master's notification script.
   */
  masterEvent(level: LogLevel, channel: string, m: MasterInstance, message: string): void {
    this.emit(level, channel, message, m);
  }

  private emit(level: LogLevel, channel: string, message: string, master: MasterInstance | undefined): void {
    this.actions.push(master === undefined ? { type: 'event', level, channel, message } : { type: 'event', level, channel, message, masterName: master.name });
    // Warning-level events about an instance also go to the master's notification script.
    if (level === 'warning' && master?.notificationScript) {
      this.actions.push({ type: 'script', path: master.notificationScript, args: [channel, message] });
    }
  }

  private send(ri: AnyInstance, which: 'cc' | 'pc', kind: ReplyKind, argv: string[]): boolean {
    const conn = which === 'cc' ? ri.link.cc : ri.link.pc;
    if (conn === null) return false;
    const tag: ReplyTag = { kind, inst: ri };
    this.actions.push({ type: 'send', conn, argv, tag });
    if (which === 'cc') ri.link.pendingCommands++;
    return true;
  }

  private openConn(link: Link, which: 'cc' | 'pc', host: string, port: number): number {
    const conn = this.nextConnId++;
    this.conns.set(conn, { link, which, established: false });
    this.actions.push({ type: 'connect', conn, host, port, purpose: which === 'cc' ? 'cmd' : 'pubsub' });
    if (which === 'cc') link.cc = conn;
    else link.pc = conn;
    return conn;
  }

  /** Closes one connection of a link and marks the link disconnected (redis: instanceLinkCloseConnection). */
  private closeConn(link: Link, which: 'cc' | 'pc'): void {
    const conn = which === 'cc' ? link.cc : link.pc;
    if (conn === null) return;
    this.conns.delete(conn);
    this.actions.push({ type: 'close', conn });
    if (which === 'cc') {
      link.cc = null;
      link.pendingCommands = 0;
    } else {
      link.pc = null;
    }
    link.disconnected = true;
  }

  private closeLink(link: Link): void {
    this.closeConn(link, 'cc');
    this.closeConn(link, 'pc');
  }

  /** Drops an instance's reference to its link, closing it when nobody else uses it. */
  private releaseLink(ri: Instance): void {
    ri.link.refcount--;
    if (ri.link.refcount <= 0) this.closeLink(ri.link);
  }

  // ------------------------------------------------------------------ instances

  private makeAddr(host: string, port: number): Addr {
    return { hostname: host, ip: host, port };
  }

  private loadMaster(mc: MasterConfig, now: number): MasterInstance {
    const m = new MasterInstance(mc.name, this.makeAddr(mc.host, mc.port), mc.quorum, mc.downAfterMs, mc.failoverTimeoutMs, now);
    m.parallelSyncs = mc.parallelSyncs;
    m.authPass = mc.authPass;
    m.authUser = mc.authUser;
    m.notificationScript = mc.notificationScript;
    m.clientReconfigScript = mc.clientReconfigScript;
    m.masterRebootDownAfterPeriod = mc.masterRebootDownAfterPeriodMs;
    for (const [from, to] of mc.renamedCommands) m.renamedCommands.set(from.toUpperCase(), to);
    m.configEpoch = mc.configEpoch;
    m.leaderEpoch = mc.leaderEpoch;
    m.leader = mc.leader ?? null;
    if (mc.configEpoch > this.currentEpoch) this.currentEpoch = mc.configEpoch;
    this.masters.set(m.name, m);
    for (const r of mc.knownReplicas) this.addReplica(m, r.host, r.port, now);
    for (const s of mc.knownSentinels) {
      if (this.findSentinel(m, s.host, s.port, s.runid)) continue;
      const peer = new SentinelPeer(m, this.makeAddr(s.host, s.port), s.runid, now);
      m.sentinels.set(peer.name, peer);
      this.shareLink(peer);
    }
    return m;
  }

  private addReplica(m: MasterInstance, host: string, port: number, now: number): ReplicaInstance | undefined {
    const key = hostPort(host, port);
    if (m.slaves.has(key)) return undefined;
    const r = new ReplicaInstance(m, this.makeAddr(host, port), now);
    m.slaves.set(key, r);
    return r;
  }

  private findSentinel(m: MasterInstance, host: string | null, port: number, runid: string | null): SentinelPeer | undefined {
    for (const s of m.sentinels.values()) {
      if (runid !== null && s.runid !== runid) continue;
      if (host !== null && (s.addr.port !== port || (s.addr.ip !== host && s.addr.hostname !== host))) continue;
      return s;
    }
    return undefined;
  }

  /** Peers with the same run id under other masters share one link (one PING per peer). */
  private shareLink(peer: SentinelPeer): void {
    for (const m of this.masters.values()) {
      if (m === peer.master) continue;
      const other = m.sentinels.get(peer.name);
      if (!other || other.link === peer.link) continue;
      if (other.addr.port !== peer.addr.port || other.addr.ip !== peer.addr.ip) continue;
      this.releaseLink(peer);
      peer.link = other.link;
      peer.link.refcount++;
      return;
    }
  }

  /** Removes every peer with this run id from a master; returns how many were removed. */
  private removeSentinelFromMaster(m: MasterInstance, runid: string): number {
    const s = m.sentinels.get(runid);
    if (!s) return 0;
    m.sentinels.delete(runid);
    s.dead = true;
    this.releaseLink(s);
    return 1;
  }

  private releaseInstance(ri: AnyInstance): void {
    ri.dead = true;
    this.releaseLink(ri);
    if (ri.kind === 'master') {
      for (const r of ri.slaves.values()) this.releaseInstance(r);
      for (const s of ri.sentinels.values()) this.releaseInstance(s);
      ri.slaves.clear();
      ri.sentinels.clear();
    }
  }

  // ------------------------------------------------------------------ timer

  /** One run of the sentinel timer (the shell calls it 10-19 times per second). */
  tick(now: number): void {
    if (this.deferredPersist) {
      this.deferredPersist = false;
      this.persist();
    }
    this.checkTilt(now);
    let switchToPromoted: MasterInstance | null = null;
    for (const m of this.masters.values()) {
      this.handleInstance(m, now);
      for (const r of m.slaves.values()) this.handleInstance(r, now);
      for (const s of m.sentinels.values()) this.handleInstance(s, now);
      if (m.failoverState === 'update_config') switchToPromoted = m;
    }
    // At most one master is switched per timer run, after every instance was handled.
    if (switchToPromoted) this.switchToPromotedSlave(switchToPromoted, now);
  }

  private checkTilt(now: number): void {
    const delta = now - this.previousTickTime;
    this.previousTickTime = now;
    if (delta < 0 || delta > this.timing.tiltTrigger) {
      this.tilt = true;
      this.tiltStartTime = now;
      this.totalTilt++;
      this.event('warning', '+tilt', null, '#tilt mode entered');
    } else if (this.tilt && now - this.tiltStartTime > this.timing.tiltPeriod) {
      this.tilt = false;
      this.event('warning', '-tilt', null, '#tilt mode exited');
    }
  }

  private handleInstance(ri: AnyInstance, now: number): void {
    // Monitoring half: always runs.
    this.reconnect(ri, now);
    this.sendPeriodicCommands(ri, now);
    if (this.tilt) return;
    // Acting half.
    this.checkSubjectivelyDown(ri, now);
    if (ri.kind === 'master') {
      this.checkObjectivelyDown(ri, now);
      if (this.startFailoverIfNeeded(ri, now)) this.askPeersAboutMaster(ri, now, true);
      this.runFailoverSteps(ri, now);
      this.askPeersAboutMaster(ri, now, false);
    }
  }

  /**
   * Acting on a reply as it arrives rather than on the next timer run: the same rules the
   * timer applies (ODOWN, failover start, state machine), evaluated as soon as their inputs
   * change. Nothing is decided that the timer would not decide; it is decided sooner.
   */
  private actNow(m: MasterInstance, now: number): void {
    if (this.tilt || m.dead) return;
    this.checkObjectivelyDown(m, now);
    if (this.startFailoverIfNeeded(m, now)) this.askPeersAboutMaster(m, now, true);
    this.runFailoverSteps(m, now);
    if (m.failoverState === 'update_config') this.switchToPromotedSlave(m, now);
  }

  /** Runs the state machine until it waits for something (redis moves one state per timer run). */
  private runFailoverSteps(m: MasterInstance, now: number): void {
    for (let i = 0; i < 8; i++) {
      const before = m.failoverState;
      this.failoverStateMachine(m, now);
      if (m.failoverState === before || m.failoverState === 'update_config') return;
    }
  }

  private authArgs(ri: AnyInstance): string[] | null {
    if (ri.kind === 'sentinel') {
      if (this.sentinelPass) return this.sentinelUser ? ['AUTH', this.sentinelUser, this.sentinelPass] : ['AUTH', this.sentinelPass];
      if (this.requirepass) return ['AUTH', this.requirepass];
      return null;
    }
    const m = masterOf(ri);
    if (!m.authPass) return null;
    return m.authUser ? ['AUTH', m.authUser, m.authPass] : ['AUTH', m.authPass];
  }

  private reconnect(ri: AnyInstance, now: number): void {
    const link = ri.link;
    if (!link.disconnected) return;
    if (ri.addr.port === 0) return;
    if (now - link.lastReconnTime < this.timing.pingPeriod) return;
    link.lastReconnTime = now;
    const m = masterOf(ri);
    const auth = this.authArgs(ri);
    const shortId = this.myid.slice(0, 8);
    if (link.cc === null) {
      this.openConn(link, 'cc', ri.addr.ip, ri.addr.port);
      link.ccConnTime = now;
      link.pendingCommands = 0;
      if (auth) this.send(ri, 'cc', 'ignore', [m.cmd('AUTH'), ...auth.slice(1)]);
      this.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'SETNAME', `sentinel-${shortId}-cmd`]);
      this.sendPing(ri, now);
      // A server we just (re)connected to may have restarted in another role: look at once
      // instead of waiting up to an INFO period (10 s) to find out.
      if (ri.kind !== 'sentinel') this.send(ri, 'cc', 'info', [m.cmd('INFO')]);
    }
    if (ri.kind !== 'sentinel' && link.pc === null) {
      this.openConn(link, 'pc', ri.addr.ip, ri.addr.port);
      link.pcConnTime = now;
      link.pcLastActivity = now;
      if (auth) this.send(ri, 'pc', 'ignore', [m.cmd('AUTH'), ...auth.slice(1)]);
      this.send(ri, 'pc', 'ignore', [m.cmd('CLIENT'), 'SETNAME', `sentinel-${shortId}-pubsub`]);
      this.send(ri, 'pc', 'subscribe', [m.cmd('SUBSCRIBE'), HELLO_CHANNEL]);
    }
    if (link.cc !== null && (ri.kind === 'sentinel' || link.pc !== null)) link.disconnected = false;
  }

  private sendPing(ri: AnyInstance, now: number): boolean {
    if (!this.send(ri, 'cc', 'ping', [masterOf(ri).cmd('PING')])) return false;
    ri.link.lastPingTime = now;
    if (ri.link.actPingTime === 0) ri.link.actPingTime = now;
    return true;
  }

  private sendPeriodicCommands(ri: AnyInstance, now: number): void {
    const link = ri.link;
    if (link.disconnected) return;
    if (link.pendingCommands >= MAX_PENDING_COMMANDS * link.refcount) return;
    let infoPeriod = this.timing.infoPeriod;
    // Replicas in a transition are watched every second: during a failover, when their link
    // to the master is down, and when one claims to be a master (an old master coming back,
    // to be converted as soon as the observation window allows).
    if (
      ri.kind === 'slave' &&
      (ri.master.oDown || ri.master.failoverInProgress || ri.masterLinkDownTime !== 0 || (ri.infoRefresh !== 0 && ri.roleReported === 'master'))
    ) {
      infoPeriod = 1000;
    }
    const pingPeriod = Math.min(ri.downAfterMs, this.timing.pingPeriod);
    if (ri.kind !== 'sentinel' && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod)) {
      this.send(ri, 'cc', 'info', [masterOf(ri).cmd('INFO')]);
    }
    if (now - link.lastPongTime > pingPeriod && now - link.lastPingTime > pingPeriod / 2) {
      this.sendPing(ri, now);
    }
    if (now - ri.lastPubTime > this.timing.publishPeriod) {
      this.sendHello(ri);
    }
  }

  /** The address clients should use for a master (the promoted replica's once a failover got that far). */
  currentMasterAddr(m: MasterInstance): Addr {
    if (m.promotedSlave && (m.failoverState === 'reconf_slaves' || m.failoverState === 'update_config')) return m.promotedSlave.addr;
    return m.addr;
  }

  private sendHello(ri: AnyInstance): void {
    if (ri.link.disconnected) return;
    const m = masterOf(ri);
    const ip = this.announceIp || ri.link.localIp;
    if (!ip) return;
    const port = this.announcePort || this.port;
    const maddr = this.currentMasterAddr(m);
    const payload = formatHello({
      ip,
      port,
      runid: this.myid,
      currentEpoch: this.currentEpoch,
      masterName: m.name,
      masterIp: this.announceAddr(maddr),
      masterPort: maddr.port,
      masterConfigEpoch: m.configEpoch,
    });
    this.send(ri, 'cc', 'publish', [m.cmd('PUBLISH'), HELLO_CHANNEL, payload]);
  }

  private checkSubjectivelyDown(ri: AnyInstance, now: number): void {
    const link = ri.link;
    let elapsed = 0;
    if (link.actPingTime) elapsed = now - link.actPingTime;
    else if (link.disconnected) elapsed = now - link.lastAvailTime;

    // A command connection that stopped answering is closed so it can be re-established.
    if (
      link.cc !== null &&
      now - link.ccConnTime > this.timing.minLinkReconnectPeriod &&
      link.actPingTime !== 0 &&
      now - link.actPingTime > ri.downAfterMs / 2 &&
      now - link.lastPongTime > ri.downAfterMs / 2
    ) {
      this.closeConn(link, 'cc');
    }
    // A pub/sub connection that saw no hello for a while is likely stuck: reconnect it.
    if (
      link.pc !== null &&
      now - link.pcConnTime > this.timing.minLinkReconnectPeriod &&
      now - link.pcLastActivity > this.timing.publishPeriod * 3
    ) {
      this.closeConn(link, 'pc');
    }

    const down =
      elapsed > ri.downAfterMs ||
      (ri.kind === 'master' &&
        ri.roleReported === 'slave' &&
        now - ri.roleReportedTime > ri.downAfterMs + this.timing.infoPeriod * 2) ||
      (ri.kind === 'master' && ri.rebooted && now - ri.rebootSinceTime > ri.masterRebootDownAfterPeriod);
    if (down) {
      if (!ri.sDown) {
        this.event('warning', '+sdown', ri);
        ri.sDown = true;
        ri.sDownSinceTime = now;
        // A failover may follow: get the replicas' state now rather than at the next INFO period.
        if (ri.kind === 'master') {
          for (const r of ri.slaves.values()) if (!r.link.disconnected) this.send(r, 'cc', 'info', [ri.cmd('INFO')]);
        }
      }
    } else if (ri.sDown) {
      this.event('warning', '-sdown', ri);
      ri.sDown = false;
      ri.scriptKillSent = false;
    }
  }

  /**
   * ODOWN is a weak, time-windowed agreement: we see the master down and enough peers said so
   * within the last few seconds to reach the quorum (ourselves included).
   */
  private checkObjectivelyDown(m: MasterInstance, now: number): void {
    let votes = 0;
    let odown = false;
    if (m.sDown) {
      votes = 1;
      for (const s of m.sentinels.values()) if (s.masterDown) votes++;
      odown = votes >= m.quorum;
    }
    if (odown) {
      if (!m.oDown) {
        this.event('warning', '+odown', m, `#quorum ${votes}/${m.quorum}`);
        m.oDown = true;
        m.oDownSinceTime = now;
      }
    } else if (m.oDown) {
      this.event('warning', '-odown', m);
      m.oDown = false;
    }
  }

  /**
   * While we see the master down, ask every connected peer (at most once per ask period, or at
   * once when `force`) whether it agrees; during our own failover the question is a vote request.
   * Answers older than five ask periods are forgotten, with the vote they carried.
   */
  private askPeersAboutMaster(m: MasterInstance, now: number, force: boolean): void {
    for (const s of m.sentinels.values()) {
      const elapsed = now - s.lastMasterDownReplyTime;
      if (elapsed > this.timing.askPeriod * 5) {
        s.masterDown = false;
        s.leader = null;
      }
      if (!m.sDown) continue;
      if (s.link.disconnected) continue;
      if (!force && elapsed < this.timing.askPeriod) continue;
      // A vote request names the epoch of our failover, not whatever epoch we have heard of
      // since (redis sends its current epoch; a vote granted in a later epoch must not help
      // elect us in an earlier one — found by the simulator, seed 27).
      const voting = m.failoverState !== 'none';
      this.send(s, 'cc', 'ask', [
        m.cmd('SENTINEL'),
        'is-master-down-by-addr',
        this.announceAddr(m.addr),
        String(m.addr.port),
        String(voting ? m.failoverEpoch : this.currentEpoch),
        voting ? this.myid : '*',
      ]);
    }
  }

  // ------------------------------------------------------------------ link events

  connected(conn: number, localIp: string, remoteIp: string, _now: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    c.established = true;
    if (c.which === 'cc') c.link.localIp = localIp;
    // A name resolved by the connection tells us the IP to show when announce-hostnames is off.
    for (const ri of this.instancesOfLink(c.link)) {
      if (!isIpLiteral(ri.addr.hostname) && remoteIp) ri.addr.ip = remoteIp;
    }
  }

  closed(conn: number, reason: string, _now: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    this.conns.delete(conn);
    const { link, which } = c;
    if (which === 'cc') {
      if (link.cc !== conn) return;
      link.cc = null;
      // pendingCommands keeps counting the commands that will never be answered, as redis's
      // link-pending-commands does, until the next connection attempt resets it.
      // A command connection that could not even be opened (refused, unreachable) is proof
      // that nothing has answered since the last acceptable reply: measure the outage from
      // there, not from the PING queued on this attempt (which redis does, adding up to a
      // ping period to every detection of a dead process). A connection that opens and
      // answers clears this at once, so a merely dropped connection is never counted.
      if (!c.established) {
        link.actPingTime = link.actPingTime === 0 ? link.lastAvailTime : Math.min(link.actPingTime, link.lastAvailTime);
      }
    } else {
      if (link.pc !== conn) return;
      link.pc = null;
    }
    link.disconnected = true;
    this.log('debug', `-${which === 'cc' ? 'cmd' : 'pubsub'}-link-reconnection #${reason}`);
  }

  private *instancesOfLink(link: Link): Generator<AnyInstance> {
    for (const m of this.masters.values()) {
      if (m.link === link) yield m;
      for (const r of m.slaves.values()) if (r.link === link) yield r;
      for (const s of m.sentinels.values()) if (s.link === link) yield s;
    }
  }

  /** A reply to a command sent with `tag` on connection `conn`. */
  reply(conn: number, tag: ReplyTag, value: Wire, now: number): void {
    const c = this.conns.get(conn);
    if (!c) return; // a late reply from a connection we already dropped
    const ri = tag.inst as AnyInstance;
    const link = c.link;
    if (c.which === 'cc' && link.pendingCommands > 0) link.pendingCommands--;
    if (ri.dead || ri.link !== link) return;
    switch (tag.kind) {
      case 'ping':
        this.onPingReply(ri, value, now);
        break;
      case 'info':
        if (typeof value === 'string' && ri.kind !== 'sentinel') {
          this.refreshInfo(ri, value, now);
          this.actNow(masterOf(ri), now);
        }
        break;
      case 'publish':
        // Only a successful publish counts; after an error the hello is retried on the next tick.
        if (!isWireError(value)) ri.lastPubTime = now;
        break;
      case 'subscribe':
        // A pub/sub link whose SUBSCRIBE is refused (e.g. -NOAUTH) is useless: drop it and retry.
        if (isWireError(value)) this.closeConn(link, 'pc');
        else link.pcLastActivity = now;
        break;
      case 'ask':
        if (ri.kind === 'sentinel') {
          this.onAskReply(ri, value, now);
          this.actNow(ri.master, now);
        }
        break;
      case 'slaveof-exec':
        // Look at the server at once instead of waiting for the next periodic INFO.
        if (ri.kind !== 'sentinel' && ri.link.cc !== null) this.send(ri, 'cc', 'info', [masterOf(ri).cmd('INFO')]);
        break;
      case 'ignore':
        break;
    }
  }

  private onPingReply(ri: AnyInstance, value: Wire, now: number): void {
    const link = ri.link;
    link.lastPongTime = now;
    const text = typeof value === 'string' ? value : isWireError(value) ? value.error : '';
    if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      link.lastAvailTime = now;
      link.actPingTime = 0;
      if (ri.kind === 'master' && text.startsWith('PONG')) ri.rebooted = false;
    } else if (text.startsWith('BUSY') && ri.sDown && !ri.scriptKillSent) {
      if (this.send(ri, 'cc', 'ignore', [masterOf(ri).cmd('SCRIPT'), 'KILL'])) ri.scriptKillSent = true;
    }
  }

  /** A pub/sub message on a master's or replica's link. */
  message(conn: number, channel: string, payload: string, now: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    c.link.pcLastActivity = now;
    if (channel !== HELLO_CHANNEL) return;
    // Our own hellos come back to us through the monitored servers.
    if (payload.includes(this.myid)) return;
    this.processHello(payload, now);
  }

  /** PUBLISH __sentinel__:hello <payload> sent to us directly by a peer. */
  helloFromPeer(payload: string, now: number): void {
    this.processHello(payload, now);
  }

  private processHello(payload: string, now: number): void {
    const h = parseHello(payload);
    if (!h) return;
    const m = this.masters.get(h.masterName);
    if (!m) return;
    let si = this.findSentinel(m, h.ip, h.port, h.runid);
    if (!si) {
      const removed = this.removeSentinelFromMaster(m, h.runid);
      if (removed) {
        this.event('notice', '+sentinel-address-switch', m, `ip ${h.ip} port ${h.port} for ${h.runid}`);
      } else {
        const other = this.findSentinel(m, h.ip, h.port, null);
        if (other && other.runid) {
          this.event('notice', '+sentinel-invalid-addr', other);
          const obsolete = other.runid;
          for (const mm of this.masters.values()) this.removeSentinelFromMaster(mm, obsolete);
        }
      }
      si = new SentinelPeer(m, this.makeAddr(h.ip, h.port), h.runid, now);
      m.sentinels.set(si.name, si);
      if (!removed) this.event('notice', '+sentinel', si);
      this.shareLink(si);
      if (removed) this.updateSentinelAddressInAllMasters(si);
      this.persist();
    }
    if (h.currentEpoch > this.currentEpoch) {
      this.currentEpoch = h.currentEpoch;
      this.persist();
      this.masterEvent('warning', '+new-epoch', m, String(this.currentEpoch));
    }
    const newer = this.mutants.has('switch-config-on-equal-epoch') ? m.configEpoch <= h.masterConfigEpoch : m.configEpoch < h.masterConfigEpoch;
    if (newer) {
      m.configEpoch = h.masterConfigEpoch;
      // Compare with the address we announce: during our own failover, past the promotion,
      // that is the promoted replica. A newer configuration naming another address must win
      // over our failover, which the switch below ends (redis compares with the old address
      // and can then finish its own failover on an equal epoch with a different master: two
      // sentinel groups stuck on two masters; found by the simulator, seed 139).
      const cur = this.currentMasterAddr(m);
      if (h.masterPort !== cur.port || (h.masterIp !== cur.ip && h.masterIp.toLowerCase() !== cur.hostname.toLowerCase())) {
        this.event('warning', '+config-update-from', si);
        this.masterEvent('warning', '+switch-master', m, `${m.name} ${this.announceAddr(cur)} ${cur.port} ${h.masterIp} ${h.masterPort}`);
        const oldAddr = { ...cur };
        this.resetMasterAndChangeAddress(m, h.masterIp, h.masterPort, now);
        this.clientReconfigScript(m, 'observer', oldAddr, m.addr);
      }
    }
    si.lastHelloTime = now;
    si.helloMasterAddr = `${h.masterIp}:${h.masterPort}`;
    si.helloConfigEpoch = h.masterConfigEpoch;
  }

  /**
   * Whether a majority of all known sentinels (us included) announced, in their latest hellos,
   * exactly our configuration of this master: then no newer configuration is about to arrive
   * and there is no reason to wait before imposing it.
   */
  private configConfirmedByMajority(m: MasterInstance, now: number): boolean {
    const cur = this.currentMasterAddr(m);
    const mine = [`${cur.ip}:${cur.port}`, `${cur.hostname}:${cur.port}`];
    let agree = 1;
    for (const s of m.sentinels.values()) {
      if (now - s.lastHelloTime > this.timing.publishPeriod * 2) continue;
      if (s.helloConfigEpoch === m.configEpoch && mine.includes(s.helloMasterAddr)) agree++;
    }
    return agree >= Math.floor((m.sentinels.size + 1) / 2) + 1;
  }

  /** After an address switch, the other masters' entries of the same peer get the new address too. */
  private updateSentinelAddressInAllMasters(si: SentinelPeer): void {
    let reconfigured = 0;
    for (const m of this.masters.values()) {
      if (m === si.master) continue;
      const other = m.sentinels.get(si.name);
      if (!other) continue;
      if (other.addr.ip === si.addr.ip && other.addr.port === si.addr.port) continue;
      this.releaseLink(other);
      other.addr = { ...si.addr };
      other.link = si.link;
      si.link.refcount++;
      reconfigured++;
    }
    if (reconfigured) this.event('notice', '+sentinel-address-update', si, `${reconfigured} additional matching instances`);
  }

  /**
   * Points a master entry at a new address, keeping its peers: the replicas (and the old master,
   * which may come back) are re-created as replicas of the new address.
   */
  resetMasterAndChangeAddress(m: MasterInstance, host: string, port: number, now: number): void {
    const newAddr = this.makeAddr(host, port);
    const keep: { host: string; port: number }[] = [];
    for (const r of m.slaves.values()) {
      if (r.addr.port === port && (r.addr.ip === host || r.addr.hostname === host)) continue;
      keep.push({ host: r.addr.hostname, port: r.addr.port });
    }
    if (!(m.addr.port === port && (m.addr.ip === host || m.addr.hostname === host))) {
      keep.push({ host: m.addr.hostname, port: m.addr.port });
    }
    this.resetMaster(m, now, true);
    m.addr = newAddr;
    for (const k of keep) {
      const r = this.addReplica(m, k.host, k.port, now);
      if (r) this.event('notice', '+slave', r);
    }
    this.persist();
  }

  /** SENTINEL RESET semantics (keepSentinels=false) and the reset done on an address switch. */
  private resetMaster(m: MasterInstance, now: number, keepSentinels: boolean): void {
    for (const r of m.slaves.values()) this.releaseInstance(r);
    m.slaves.clear();
    if (!keepSentinels) {
      for (const s of m.sentinels.values()) this.releaseInstance(s);
      m.sentinels.clear();
    }
    this.closeLink(m.link);
    m.sDown = m.oDown = false;
    m.sDownSinceTime = m.oDownSinceTime = 0;
    m.scriptKillSent = false;
    m.rebooted = false;
    m.leader = null;
    m.failoverState = 'none';
    m.failoverInProgress = false;
    m.forceFailover = false;
    m.failoverStartTime = 0;
    m.selectInfoRequestedAt = 0;
    m.promotedSlave = null;
    m.runid = null;
    m.info = '';
    m.infoRefresh = 0;
    m.roleReported = 'master';
    m.roleReportedTime = now;
    m.link.actPingTime = now;
    m.link.lastPongTime = now;
    m.link.lastAvailTime = now;
    m.link.lastPingTime = 0;
  }

  // ------------------------------------------------------------------ INFO

  private refreshInfo(ri: MasterInstance | ReplicaInstance, text: string, now: number): void {
    const p = parseInfo(text);
    ri.info = text;
    if (ri.kind === 'slave') ri.masterLinkDownTime = p.masterLinkDownMs;
    if (p.runId !== undefined) {
      if (ri.runid === null) {
        ri.runid = p.runId;
      } else if (ri.runid !== p.runId) {
        this.event('notice', '+reboot', ri);
        if (ri.kind === 'master' && ri.masterRebootDownAfterPeriod !== 0) {
          ri.rebooted = true;
          ri.rebootSinceTime = now;
        }
        ri.runid = p.runId;
      }
    }
    if (ri.kind === 'master') {
      for (const line of p.replicas) {
        if (!this.resolveHostnames && !isIpLiteral(line.ip)) continue;
        const r = this.addReplica(ri, line.ip, line.port, now);
        if (r) {
          this.event('notice', '+slave', r);
          this.persist();
        }
      }
    }
    if (ri.kind === 'slave' && p.role === 'slave') {
      if (p.masterHost !== undefined && (ri.slaveMasterHost === null || p.masterHost.toLowerCase() !== ri.slaveMasterHost.toLowerCase())) {
        ri.slaveMasterHost = p.masterHost;
        ri.slaveConfChangeTime = now;
      }
      if (p.masterPort !== undefined && p.masterPort !== ri.slaveMasterPort) {
        ri.slaveMasterPort = p.masterPort;
        ri.slaveConfChangeTime = now;
      }
      if (p.masterLinkUp !== undefined) ri.slaveMasterLinkUp = p.masterLinkUp;
      if (p.slavePriority !== undefined) ri.slavePriority = p.slavePriority;
      if (p.slaveReplOffset !== undefined) ri.slaveReplOffset = p.slaveReplOffset;
      if (p.replicaAnnounced !== undefined) ri.replicaAnnounced = p.replicaAnnounced;
    }
    ri.infoRefresh = now;
    const role = p.role;
    if (role !== undefined && role !== ri.roleReported) {
      ri.roleReportedTime = now;
      ri.roleReported = role;
      if (ri.kind === 'slave' && role === 'slave') ri.slaveConfChangeTime = now;
      const coherent = (ri.kind === 'master') === (role === 'master');
      this.event('verbose', coherent ? '+role-change' : '-role-change', ri, `new reported role is ${role}`);
    }
    if (this.tilt) return;
    if (ri.kind === 'slave') this.actOnReplicaInfo(ri, role, now);
  }

  /** What a replica's INFO means for the failover and for replica auto-correction. */
  private actOnReplicaInfo(ri: ReplicaInstance, role: 'master' | 'slave' | undefined, now: number): void {
    const m = ri.master;
    if (role === 'master') {
      if (ri.promoted && m.failoverInProgress && m.failoverState === 'wait_promotion') {
        this.confirmPromotion(m, ri, now);
      } else {
        // A replica that claims to be a master (typically the old master coming back): after a
        // stable observation window, impose the current configuration on it.
        // redis waits four hello periods for a newer configuration to show up; when a majority
        // of the sentinels has just confirmed ours, one ping period of observation is enough.
        const wait = this.configConfirmedByMajority(m, now) ? this.timing.pingPeriod : this.timing.publishPeriod * 4;
        if (!ri.promoted && this.masterLooksSane(m, now) && this.noDownFor(ri, wait, now) && now - ri.roleReportedTime > wait) {
          if (this.sendSlaveOf(ri, m.addr)) this.event('notice', '+convert-to-slave', ri);
        }
      }
    }
    if (role === 'slave' && (ri.slaveMasterPort !== m.addr.port || !this.addrMatchesHost(m.addr, ri.slaveMasterHost))) {
      const wait = m.failoverTimeout;
      if (this.masterLooksSane(m, now) && this.noDownFor(ri, wait, now) && now - ri.slaveConfChangeTime > wait) {
        if (this.sendSlaveOf(ri, m.addr)) this.event('notice', '+fix-slave-config', ri);
      }
    }
    if (role === 'slave' && (ri.reconf === 'sent' || ri.reconf === 'inprog') && m.promotedSlave) {
      const target = m.promotedSlave.addr;
      if (ri.reconf === 'sent' && ri.slaveMasterHost !== null && this.addrMatchesHost(target, ri.slaveMasterHost) && ri.slaveMasterPort === target.port) {
        ri.reconf = 'inprog';
        this.event('notice', '+slave-reconf-inprog', ri);
      }
      if (ri.reconf === 'inprog' && ri.slaveMasterLinkUp) {
        ri.reconf = 'done';
        this.event('notice', '+slave-reconf-done', ri);
      }
    }
  }

  private addrMatchesHost(a: Addr, host: string | null): boolean {
    if (host === null) return false;
    return a.ip === host || a.hostname.toLowerCase() === host.toLowerCase();
  }

  private masterLooksSane(m: MasterInstance, now: number): boolean {
    return m.roleReported === 'master' && !m.sDown && !m.oDown && now - m.infoRefresh < this.timing.infoPeriod * 2;
  }

  private noDownFor(ri: Instance, ms: number, now: number): boolean {
    const mostRecent = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
    return mostRecent === 0 || now - mostRecent > ms;
  }

  // ------------------------------------------------------------------ ODOWN answers

  private onAskReply(si: SentinelPeer, value: Wire, now: number): void {
    if (!Array.isArray(value) || value.length !== 3) return;
    const [down, leader, epoch] = value;
    if (typeof down !== 'number' || typeof leader !== 'string' || typeof epoch !== 'number') return;
    si.lastMasterDownReplyTime = now;
    si.masterDown = down === 1;
    if (leader !== '*') {
      si.leader = leader;
      si.leaderEpoch = epoch;
    }
  }

  /**
   * SENTINEL IS-MASTER-DOWN-BY-ADDR: answers whether we see the master at that address down,
   * and, when `runid` is not `*`, handles a vote request for `reqEpoch`.
   */
  isMasterDownByAddr(ip: string, port: number, reqEpoch: number, runid: string, now: number): [number, string, number] {
    let found: MasterInstance | undefined;
    for (const m of this.masters.values()) {
      if (m.addr.port === port && (m.addr.ip === ip || m.addr.hostname.toLowerCase() === ip.toLowerCase())) {
        found = m;
        break;
      }
    }
    const isDown = found !== undefined && !this.tilt && found.sDown ? 1 : 0;
    let leader = '*';
    let leaderEpoch = 0;
    if (found && runid !== '*') {
      this.voteLeader(found, reqEpoch, runid, now);
      leader = found.leader ?? '*';
      leaderEpoch = found.leaderEpoch;
    }
    return [isDown, leader, leaderEpoch];
  }

  /** Grants at most one vote per epoch; the vote and epoch are persisted before any reply. */
  private voteLeader(m: MasterInstance, reqEpoch: number, reqRunid: string, now: number): void {
    if (reqEpoch > this.currentEpoch) {
      this.currentEpoch = reqEpoch;
      this.persist();
      this.masterEvent('warning', '+new-epoch', m, String(this.currentEpoch));
    }
    const mayVote = this.mutants.has('vote-twice-in-epoch') ? m.leaderEpoch <= reqEpoch : m.leaderEpoch < reqEpoch;
    if (mayVote && this.currentEpoch <= reqEpoch) {
      m.leader = reqRunid;
      m.leaderEpoch = this.currentEpoch;
      if (this.mutants.has('reply-vote-before-persist')) this.deferredPersist = true;
      else this.persist();
      this.masterEvent('warning', '+vote-for-leader', m, `${m.leader} ${m.leaderEpoch}`);
      if (reqRunid !== this.myid) m.failoverStartTime = now + Math.floor(this.random() * 1000);
    }
  }

  // ------------------------------------------------------------------ failover

  /**
   * The reconfiguration transaction every change of a server's role goes through. Replies are
   * ignored: success is judged from later INFO. The CLIENT KILLs make clients reconnect and
   * ask the sentinels again.
   */
  private sendSlaveOf(ri: AnyInstance, target: Addr | null): boolean {
    if (ri.link.cc === null || ri.link.disconnected) return false;
    const m = masterOf(ri);
    const host = target ? this.announceAddr(target) : 'NO';
    const port = target ? String(target.port) : 'ONE';
    this.send(ri, 'cc', 'ignore', [m.cmd('MULTI')]);
    this.send(ri, 'cc', 'ignore', [m.cmd('SLAVEOF'), host, port]);
    this.send(ri, 'cc', 'ignore', [m.cmd('CONFIG'), 'REWRITE']);
    this.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'KILL', 'TYPE', 'normal']);
    this.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'KILL', 'TYPE', 'pubsub']);
    this.send(ri, 'cc', 'slaveof-exec', [m.cmd('EXEC')]);
    return true;
  }

  private startFailoverIfNeeded(m: MasterInstance, now: number): boolean {
    if (!m.oDown || m.failoverInProgress) return false;
    if (now - m.failoverStartTime < m.failoverTimeout * 2) {
      if (m.failoverDelayLogged !== m.failoverStartTime) {
        m.failoverDelayLogged = m.failoverStartTime;
        const when = new Date(m.failoverStartTime + m.failoverTimeout * 2).toUTCString();
        this.log('warning', `Next failover delay: I will not start a failover before ${when}`);
      }
      return false;
    }
    this.startFailover(m, now);
    return true;
  }

  private startFailover(m: MasterInstance, now: number): void {
    m.failoverState = 'wait_start';
    m.failoverInProgress = true;
    m.failoverEpoch = ++this.currentEpoch;
    this.masterEvent('warning', '+new-epoch', m, String(this.currentEpoch));
    this.event('warning', '+try-failover', m);
    // Jitter keeps sentinels that noticed the failure together from splitting votes for ever.
    m.failoverStartTime = now + Math.floor(this.random() * 1000);
    m.failoverStateChangeTime = now;
  }

  /**
   * The leader for `epoch`: the most voted peer (counting only votes in the current epoch),
   * with our own vote added; elected only with a majority of all known voters and the quorum.
   */
  private getLeader(m: MasterInstance, epoch: number, now: number): string | null {
    const voters = m.sentinels.size + 1;
    const counters = new Map<string, number>();
    // Only votes cast in the epoch of this election count (redis counts those of its current
    // epoch, which may be later than the failover's: see askPeersAboutMaster).
    for (const s of m.sentinels.values()) {
      if (s.leader !== null && s.leaderEpoch === epoch) counters.set(s.leader, (counters.get(s.leader) ?? 0) + 1);
    }
    let winner: string | null = null;
    let maxVotes = 0;
    for (const [id, votes] of counters) {
      if (votes > maxVotes) {
        maxVotes = votes;
        winner = id;
      }
    }
    this.voteLeader(m, epoch, winner ?? this.myid, now);
    const myVote = m.leader;
    if (myVote !== null && m.leaderEpoch === epoch) {
      let votes = (counters.get(myVote) ?? 0) + 1;
      if (this.mutants.has('count-votes-for-other-leader')) {
        for (const [id, n] of counters) if (id !== myVote) votes += n;
      }
      counters.set(myVote, votes);
      if (votes > maxVotes) {
        maxVotes = votes;
        winner = myVote;
      }
    }
    const majority = Math.floor(voters / 2) + 1;
    const needed = this.mutants.has('drop-majority-rule') ? m.quorum : Math.max(majority, m.quorum);
    if (winner !== null && maxVotes < needed) winner = null;
    return winner;
  }

  private failoverStateMachine(m: MasterInstance, now: number): void {
    if (!m.failoverInProgress) return;
    switch (m.failoverState) {
      case 'wait_start':
        this.failoverWaitStart(m, now);
        break;
      case 'select_slave':
        this.failoverSelectSlave(m, now);
        break;
      case 'send_slaveof_noone':
        this.failoverSendSlaveOfNoOne(m, now);
        break;
      case 'wait_promotion':
        if (now - m.failoverStateChangeTime > m.failoverTimeout) {
          this.event('warning', '-failover-abort-slave-timeout', m);
          this.abortFailover(m, now);
        }
        break;
      case 'reconf_slaves':
        this.failoverReconfNextSlave(m, now);
        break;
      default:
        break;
    }
  }

  private setFailoverState(m: MasterInstance, state: FailoverState, now: number): void {
    m.failoverState = state;
    m.failoverStateChangeTime = now;
  }

  private failoverWaitStart(m: MasterInstance, now: number): void {
    const leader = this.getLeader(m, m.failoverEpoch, now);
    const isLeader = leader !== null && leader.toLowerCase() === this.myid;
    if (!isLeader && !m.forceFailover) {
      const electionTimeout = Math.min(this.timing.electionTimeout, m.failoverTimeout);
      if (now - m.failoverStartTime > electionTimeout) {
        this.event('warning', '-failover-abort-not-elected', m);
        this.abortFailover(m, now);
      }
      return;
    }
    this.event('warning', '+elected-leader', m);
    if (this.simFailureFlags & SIMFAILURE_CRASH_AFTER_ELECTION) {
      this.simulatedCrash();
      return;
    }
    this.setFailoverState(m, 'select_slave', now);
    this.event('warning', '+failover-state-select-slave', m);
  }

  private failoverSelectSlave(m: MasterInstance, now: number): void {
    // Choose on fresh facts: ask every reachable replica for its INFO (offset, priority, link)
    // now, and select when they have all answered, or after a short bound.
    if (m.selectInfoRequestedAt === 0) {
      m.selectInfoRequestedAt = now;
      for (const r of m.slaves.values()) {
        if (!r.link.disconnected && !r.sDown) this.send(r, 'cc', 'info', [m.cmd('INFO')]);
      }
    }
    const waiting = [...m.slaves.values()].some((r) => !r.link.disconnected && !r.sDown && r.infoRefresh < m.selectInfoRequestedAt);
    if (waiting && now - m.selectInfoRequestedAt < SELECT_INFO_WAIT_MS) return;
    m.selectInfoRequestedAt = 0;
    const slave = this.selectSlave(m, now);
    if (!slave) {
      this.event('warning', '-failover-abort-no-good-slave', m);
      this.abortFailover(m, now);
      return;
    }
    this.event('warning', '+selected-slave', slave);
    slave.promoted = true;
    m.promotedSlave = slave;
    this.setFailoverState(m, 'send_slaveof_noone', now);
    this.event('notice', '+failover-state-send-slaveof-noone', slave);
  }

  private failoverSendSlaveOfNoOne(m: MasterInstance, now: number): void {
    const slave = m.promotedSlave;
    if (!slave) return;
    if (slave.link.disconnected) {
      if (now - m.failoverStateChangeTime > m.failoverTimeout) {
        this.event('warning', '-failover-abort-slave-timeout', m);
        this.abortFailover(m, now);
      }
      return;
    }
    if (!this.sendSlaveOf(slave, null)) return;
    this.event('notice', '+failover-state-wait-promotion', slave);
    this.setFailoverState(m, 'wait_promotion', now);
  }

  /** The promoted replica reports role:master: the failover can no longer be aborted. */
  private confirmPromotion(m: MasterInstance, slave: ReplicaInstance, now: number): void {
    m.configEpoch = m.failoverEpoch;
    this.setFailoverState(m, 'reconf_slaves', now);
    this.persist();
    this.event('warning', '+promoted-slave', slave);
    if (this.simFailureFlags & SIMFAILURE_CRASH_AFTER_PROMOTION) {
      this.simulatedCrash();
      return;
    }
    this.event('warning', '+failover-state-reconf-slaves', m);
    this.clientReconfigScript(m, 'leader', m.addr, slave.addr);
    this.forceHelloUpdate(m);
    // Tell the peers about the new configuration now rather than on the next timer run.
    for (const ri of [m, ...m.slaves.values(), ...m.sentinels.values()]) {
      if (!ri.link.disconnected && now - ri.lastPubTime > this.timing.publishPeriod) this.sendHello(ri);
    }
  }

  /** Back-dates the last hello times so the new configuration goes out on the next timer run. */
  private forceHelloUpdate(m: MasterInstance): void {
    const past = (ri: Instance): void => {
      if (ri.lastPubTime >= this.timing.publishPeriod + 1) ri.lastPubTime -= this.timing.publishPeriod + 1;
    };
    past(m);
    for (const r of m.slaves.values()) past(r);
    for (const s of m.sentinels.values()) past(s);
  }

  private failoverReconfNextSlave(m: MasterInstance, now: number): void {
    const promoted = m.promotedSlave;
    if (!promoted) return;
    let inProgress = 0;
    for (const r of m.slaves.values()) if (r.reconf === 'sent' || r.reconf === 'inprog') inProgress++;
    for (const r of m.slaves.values()) {
      if (inProgress >= m.parallelSyncs) break;
      if (r.promoted || r.reconf === 'done') continue;
      if (r.reconf === 'sent' && now - r.slaveReconfSentTime > this.timing.slaveReconfTimeout) {
        this.event('notice', '-slave-reconf-sent-timeout', r);
        r.reconf = 'done';
      }
      if (r.reconf === 'sent' || r.reconf === 'inprog' || r.reconf === 'done') continue;
      if (r.link.disconnected) continue;
      if (this.sendSlaveOf(r, promoted.addr)) {
        r.reconf = 'sent';
        r.slaveReconfSentTime = now;
        this.event('notice', '+slave-reconf-sent', r);
        inProgress++;
      }
    }
    this.failoverDetectEnd(m, now);
  }

  private failoverDetectEnd(m: MasterInstance, now: number): void {
    const promoted = m.promotedSlave;
    if (!promoted || promoted.sDown) return;
    let notReconfigured = 0;
    for (const r of m.slaves.values()) {
      if (r.promoted || r.reconf === 'done' || r.sDown) continue;
      notReconfigured++;
    }
    let timeout = false;
    if (now - m.failoverStateChangeTime > m.failoverTimeout) {
      notReconfigured = 0;
      timeout = true;
      this.event('warning', '+failover-end-for-timeout', m);
    }
    if (notReconfigured === 0) {
      this.event('warning', '+failover-end', m);
      this.setFailoverState(m, 'update_config', now);
    }
    if (timeout) {
      for (const r of m.slaves.values()) {
        if (r.promoted || r.reconf === 'done' || r.reconf === 'sent') continue;
        if (r.link.disconnected) continue;
        if (this.sendSlaveOf(r, promoted.addr)) {
          this.event('notice', '+slave-reconf-sent-be', r);
          r.reconf = 'sent';
        }
      }
    }
  }

  private switchToPromotedSlave(m: MasterInstance, now: number): void {
    const ref = m.promotedSlave ?? m;
    this.masterEvent('warning', '+switch-master', m, `${m.name} ${this.announceAddr(m.addr)} ${m.addr.port} ${this.announceAddr(ref.addr)} ${ref.addr.port}`);
    this.resetMasterAndChangeAddress(m, ref.addr.hostname, ref.addr.port, now);
  }

  private abortFailover(m: MasterInstance, now: number): void {
    m.failoverInProgress = false;
    m.forceFailover = false;
    m.selectInfoRequestedAt = 0;
    this.setFailoverState(m, 'none', now);
    if (m.promotedSlave) {
      m.promotedSlave.promoted = false;
      m.promotedSlave = null;
    }
  }

  /** Replica selection: eligibility filters, then priority, offset, run id. */
  selectSlave(m: MasterInstance, now: number): ReplicaInstance | null {
    let maxMasterDownTime = 0;
    if (m.sDown) maxMasterDownTime += now - m.sDownSinceTime;
    maxMasterDownTime += m.downAfterMs * 10;
    const infoValidity = m.sDown ? this.timing.pingPeriod * 5 : this.timing.infoPeriod * 3;
    const candidates: ReplicaInstance[] = [];
    for (const r of m.slaves.values()) {
      if (r.sDown || r.oDown) continue;
      if (r.link.disconnected) continue;
      if (now - r.link.lastAvailTime > this.timing.pingPeriod * 5) continue;
      if (r.slavePriority === 0 && !this.mutants.has('ignore-priority-zero')) continue;
      if (now - r.infoRefresh > infoValidity) continue;
      if (r.masterLinkDownTime > maxMasterDownTime) continue;
      candidates.push(r);
    }
    candidates.sort(compareForPromotion);
    return candidates[0] ?? null;
  }

  /** SENTINEL FAILOVER: a forced failover, no agreement needed, but a new epoch all the same. */
  forceFailover(m: MasterInstance, now: number): void {
    if (m.failoverInProgress) throw new SentinelError('INPROG', 'INPROG Failover already in progress');
    if (!this.selectSlave(m, now)) throw new SentinelError('NOGOODSLAVE', 'NOGOODSLAVE No suitable replica to promote');
    this.log('notice', `Executing user requested FAILOVER of '${m.name}'`);
    this.startFailover(m, now);
    m.forceFailover = true;
  }

  private simulatedCrash(): void {
    this.log('warning', 'Sentinel is simulating a failure as requested (SENTINEL SIMULATE-FAILURE). Exiting...');
    this.actions.push({ type: 'exit', code: 99 });
  }

  /** Queues the master's client-reconfig-script, if any. */
  private clientReconfigScript(m: MasterInstance, role: 'leader' | 'observer', from: Addr, to: Addr): void {
    if (!m.clientReconfigScript) return;
    this.actions.push({
      type: 'script',
      path: m.clientReconfigScript,
      args: [m.name, role, 'start', this.announceAddr(from), String(from.port), this.announceAddr(to), String(to.port)],
    });
  }

  // ------------------------------------------------------------------ admin

  getMaster(name: string): MasterInstance {
    const m = this.masters.get(name);
    if (!m) throw new SentinelError('NO_SUCH_MASTER', 'ERR No such master with that name');
    return m;
  }

  /** SENTINEL MONITOR (validation order and texts as redis). */
  monitor(name: string, host: string, port: number, quorum: number, now: number): MasterInstance {
    if (quorum <= 0) throw new SentinelError('BAD_QUORUM', 'ERR Quorum must be 1 or greater.');
    if (!this.resolveHostnames && !isIpLiteral(host)) {
      throw new SentinelError('BAD_ADDRESS', 'ERR Invalid IP address or hostname specified');
    }
    if (port < 0 || port > 65535) throw new SentinelError('BAD_PORT', 'ERR Invalid port number.');
    if (this.masters.has(name)) throw new SentinelError('DUPLICATE', 'ERR Duplicate master name.');
    const mc = newMasterConfig(name, host, port, quorum);
    mc.downAfterMs = this.timing.defaultDownAfter;
    mc.failoverTimeoutMs = this.timing.defaultFailoverTimeout;
    const m = this.loadMaster(mc, now);
    this.persist();
    return m;
  }

  /** The +monitor event, emitted after the reply to MONITOR as redis does. */
  announceMonitor(m: MasterInstance): void {
    this.event('warning', '+monitor', m, `quorum ${m.quorum}`);
  }

  remove(name: string): void {
    const m = this.getMaster(name);
    this.event('warning', '-monitor', m);
    this.masters.delete(name);
    this.releaseInstance(m);
    this.persist();
  }

  /** SENTINEL RESET <pattern>: returns the number of masters reset. Not persisted (as redis). */
  reset(match: (name: string) => boolean, now: number): number {
    let n = 0;
    for (const m of this.masters.values()) {
      if (!match(m.name)) continue;
      this.resetMaster(m, now, false);
      this.event('warning', '+reset-master', m);
      n++;
    }
    return n;
  }

  /** Closes the links of a master and its replicas so new credentials are used. */
  dropMasterLinks(m: MasterInstance): void {
    this.closeLink(m.link);
    for (const r of m.slaves.values()) this.closeLink(r.link);
  }

  /** Closes every link to peer sentinels (after sentinel-user/pass change). */
  dropPeerLinks(): void {
    for (const m of this.masters.values()) for (const s of m.sentinels.values()) this.closeLink(s.link);
  }

  setDownAfter(m: MasterInstance, ms: number): void {
    m.downAfterMs = ms;
    for (const r of m.slaves.values()) r.downAfterMs = ms;
    for (const s of m.sentinels.values()) s.downAfterMs = ms;
  }

  requestPersist(): void {
    this.persist();
  }

  /** CKQUORUM: usable = 1 + peers not in SDOWN/ODOWN. */
  ckquorum(m: MasterInstance): { usable: number; quorumOk: boolean; majorityOk: boolean } {
    const voters = m.sentinels.size + 1;
    let usable = 1;
    for (const s of m.sentinels.values()) if (!s.sDown && !s.oDown) usable++;
    return { usable, quorumOk: usable >= m.quorum, majorityOk: usable >= Math.floor(voters / 2) + 1 };
  }

  // ------------------------------------------------------------------ export

  exportGlobals(): SentinelGlobals {
    const g: SentinelGlobals = {
      myid: this.myid,
      currentEpoch: this.currentEpoch,
      announcePort: this.announcePort,
      denyScriptsReconfig: this.denyScriptsReconfig,
      resolveHostnames: this.resolveHostnames,
      announceHostnames: this.announceHostnames,
    };
    if (this.announceIp) g.announceIp = this.announceIp;
    if (this.sentinelUser) g.sentinelUser = this.sentinelUser;
    if (this.sentinelPass) g.sentinelPass = this.sentinelPass;
    return g;
  }

  exportMasters(): MasterConfig[] {
    const out: MasterConfig[] = [];
    for (const m of this.masters.values()) {
      const addr = this.currentMasterAddr(m);
      const mc = newMasterConfig(m.name, this.announceAddr(addr), addr.port, m.quorum);
      mc.downAfterMs = m.downAfterMs;
      mc.failoverTimeoutMs = m.failoverTimeout;
      mc.parallelSyncs = m.parallelSyncs;
      if (m.notificationScript) mc.notificationScript = m.notificationScript;
      if (m.clientReconfigScript) mc.clientReconfigScript = m.clientReconfigScript;
      if (m.authPass) mc.authPass = m.authPass;
      if (m.authUser) mc.authUser = m.authUser;
      mc.masterRebootDownAfterPeriodMs = m.masterRebootDownAfterPeriod;
      mc.renamedCommands = [...m.renamedCommands.entries()];
      mc.configEpoch = m.configEpoch;
      mc.leaderEpoch = m.leaderEpoch;
      if (m.leader) mc.leader = m.leader;
      const replicas: KnownReplica[] = [];
      for (const r of m.slaves.values()) {
        // While the promoted replica is the current address, the old master stands in its place.
        const a = r === m.promotedSlave && addr === r.addr ? m.addr : r.addr;
        replicas.push({ host: this.announceAddr(a), port: a.port });
      }
      mc.knownReplicas = replicas;
      const peers: KnownSentinel[] = [];
      for (const s of m.sentinels.values()) {
        if (s.runid) peers.push({ host: this.announceAddr(s.addr), port: s.addr.port, runid: s.runid });
      }
      mc.knownSentinels = peers;
      out.push(mc);
    }
    return out;
  }
}
