/**
 * The sentinel's decisions, as a deterministic state machine: the one door into the core.
 *
 * The core never touches sockets, timers, files or the real clock. The shell feeds it events
 * (a tick carrying the time, a connection opened or closed, a reply, a pub/sub message, a peer's
 * question) and carries out the actions it queues (connect, send, close, publish an event,
 * persist the config, exit), in order, after every call. Admin commands change it only through
 * the named operations below; reads go through snapshots. Randomness comes from an injected
 * function, so a simulator can replay any run from a seed.
 *
 * This file holds the state and routes each event to the module that handles it:
 *   links.ts     connections and periodic traffic      observe.ts  SDOWN/ODOWN, INFO, corrections
 *   voting.ts    asking peers, votes, the election      gossip.ts   hellos received
 *   failover.ts  the failover state machine             registry.ts the instance tables
 *   rules/       the decisions themselves, as plain functions with table tests
 */
import type { MasterConfig, SentinelGlobals } from '../config/model.js';
import { newMasterConfig } from '../config/model.js';
import { SentinelError } from '../util/errors.js';
import { yesNo } from '../util/parse.js';
import type { Action, ReplyTag, Wire } from './actions.js';
import { isWireError } from './actions.js';
import { isIpLiteral } from '../util/ip.js';
import { Effects } from './effects.js';
import { handoverExecReply, rankCandidates, runFailoverSteps, startFailoverIfNeeded, switchToPromotedSlave } from './failover.js';
import type { FailoverOptions, FailoverPlan } from './manual.js';
import { planFailover, startManualFailover } from './manual.js';
import { forgetFence, onClientList, onFencePause, onPeerView, stepFence } from './fence.js';
import { processHello } from './gossip.js';
import type { AnyInstance, MasterInstance } from './instance.js';
import { masterOf } from './instance.js';
import { onClosed, onConnected, onPingReply, reconnect, sendPeriodicCommands } from './links.js';
import { checkObjectivelyDown, checkSubjectivelyDown, refreshInfo } from './observe.js';
import { currentMasterAddr, loadMaster, releaseInstance, resetMaster } from './registry.js';
import { quorumCheck } from './rules/election.js';
import type { RuleSet } from './rules/index.js';
import { DEFAULT_RULES } from './rules/index.js';
import type { Ranking } from './rules/selection.js';
import { tiltCause, tiltTransition } from './rules/tilt.js';
import type { CoreSnapshot, Fields, MasterSnapshot } from './snapshot.js';
import { coreSnapshot, exportGlobals, exportMasters, fieldMapList, infoSentinel, masterSnapshot } from './snapshot.js';
import type { FieldMapList } from '../protocol/reply.js';
import { fieldMapPairs } from '../protocol/reply.js';
import type { CoreContext } from './state.js';
import { CoreState } from './state.js';
export { SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION } from './state.js';
import type { Timing } from './timing.js';
import { DEBUG_PARAMS, HELLO_CHANNEL, MAX_LINK_CONNECTS_PER_TICK } from './timing.js';
import { askPeersAboutMaster, answerIsMasterDown, onAskReply } from './voting.js';

export interface CoreOptions {
  globals: SentinelGlobals;
  masters: MasterConfig[];
  /** Our listening port, announced in hellos unless announce-port is set. */
  port: number;
  /** Our requirepass: the password used towards peers when sentinel-pass is unset. */
  requirepass?: string;
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** Rule variants (the simulator's planted bugs); production uses DEFAULT_RULES. */
  rules?: Partial<RuleSet>;
}

/** A change SENTINEL SET makes to a master (values already validated by the command layer). */
export type MasterOptionChange =
  | { option: 'down-after-milliseconds' | 'failover-timeout' | 'parallel-syncs' | 'quorum' | 'master-reboot-down-after-period'; value: number }
  | { option: 'notification-script' | 'client-reconfig-script' | 'auth-pass' | 'auth-user'; value: string }
  | { option: 'rename-command'; from: string; to: string }
  /** sentinel-ts only: minority fencing (fence-after null = follow down-after-milliseconds). */
  | { option: 'fence-minority'; value: boolean }
  | { option: 'fence-after-milliseconds'; value: number };

/** The global parameters SENTINEL CONFIG GET/SET reach in the core. */
export type GlobalParam = 'resolve-hostnames' | 'announce-hostnames' | 'announce-ip' | 'announce-port' | 'sentinel-user' | 'sentinel-pass';

const HEX = '0123456789abcdef';

export class SentinelCore {
  private readonly s: CoreState;
  private readonly ctx: CoreContext;
  /** Set when the id was generated here and must be persisted at start. */
  readonly generatedId: boolean;

  constructor(opts: CoreOptions) {
    const g = opts.globals;
    this.generatedId = !g.myid;
    let id = g.myid ?? '';
    if (!id) for (let i = 0; i < 40; i++) id += HEX[Math.floor(opts.random() * 16)];
    this.s = new CoreState(g, id, opts.port, opts.requirepass ?? '', opts.now);
    const rules: RuleSet = { ...DEFAULT_RULES, ...opts.rules };
    this.ctx = { s: this.s, fx: new Effects(this.s), rules, random: opts.random };
    for (const mc of opts.masters) loadMaster(this.ctx, mc, opts.now);
    if (this.generatedId) {
      this.ctx.fx.log('notice', `Sentinel ID is ${this.s.myid}`);
      this.ctx.fx.persist();
    }
    for (const m of this.s.masters.values()) this.ctx.fx.event('warning', '+monitor', m, `quorum ${m.quorum}`);
  }

  /** The actions queued since the last call, in the order they must be carried out. */
  takeActions(): Action[] {
    return this.ctx.fx.take();
  }

  // ------------------------------------------------------------------ events in

  /** One run of the sentinel timer (the shell calls it 10-19 times per second). */
  tick(now: number): void {
    const { s, fx } = this.ctx;
    if (s.deferredPersist) {
      s.deferredPersist = false;
      fx.persist();
    }
    this.checkTilt(now);
    s.connectBudget = MAX_LINK_CONNECTS_PER_TICK;
    let switchToPromoted: MasterInstance | null = null;
    for (const m of s.masters.values()) {
      this.handleInstance(m, now);
      for (const r of m.slaves.values()) this.handleInstance(r, now);
      for (const p of m.sentinels.values()) this.handleInstance(p, now);
      if (m.failoverState === 'update_config') switchToPromoted = m;
      stepFence(this.ctx, m, now);
    }
    // At most one master is switched per timer run, after every instance was handled.
    if (switchToPromoted) switchToPromotedSlave(this.ctx, switchToPromoted, now);
  }

  private checkTilt(now: number): void {
    const { s, fx } = this.ctx;
    const t = tiltTransition(s, now, s.timing.tiltTrigger, s.timing.tiltPeriod);
    if (t === 'enter') s.tiltCause = tiltCause(s.previousTickTime, now);
    s.previousTickTime = now;
    if (t === 'enter') {
      s.tilt = true;
      s.tiltStartTime = now;
      s.totalTilt++;
      fx.event('warning', '+tilt', null, '#tilt mode entered');
    } else if (t === 'exit') {
      s.tilt = false;
      fx.event('warning', '-tilt', null, '#tilt mode exited');
    }
  }

  private handleInstance(ri: AnyInstance, now: number): void {
    // Monitoring half: always runs.
    reconnect(this.ctx, ri, now);
    sendPeriodicCommands(this.ctx, ri, now);
    if (this.s.tilt) return;
    // Acting half.
    checkSubjectivelyDown(this.ctx, ri, now);
    if (ri.kind === 'master') {
      checkObjectivelyDown(this.ctx, ri, now);
      if (startFailoverIfNeeded(this.ctx, ri, now)) askPeersAboutMaster(this.ctx, ri, now, true);
      runFailoverSteps(this.ctx, ri, now);
      askPeersAboutMaster(this.ctx, ri, now, false);
    }
  }

  /**
   * Acting on a reply as it arrives rather than on the next timer run: the same rules the
   * timer applies (ODOWN, failover start, state machine), evaluated as soon as their inputs
   * change. Nothing is decided that the timer would not decide; it is decided sooner.
   */
  private actNow(m: MasterInstance, now: number): void {
    if (this.s.tilt || m.dead) return;
    checkObjectivelyDown(this.ctx, m, now);
    if (startFailoverIfNeeded(this.ctx, m, now)) askPeersAboutMaster(this.ctx, m, now, true);
    runFailoverSteps(this.ctx, m, now);
    if (m.failoverState === 'update_config') switchToPromotedSlave(this.ctx, m, now);
  }

  connected(conn: number, localIp: string, remoteIp: string, _now: number): void {
    onConnected(this.ctx, conn, localIp, remoteIp);
  }

  closed(conn: number, reason: string, _now: number): void {
    onClosed(this.ctx, conn, reason);
  }

  /** A reply to a command sent with `tag` on connection `conn`. */
  reply(conn: number, tag: ReplyTag, value: Wire, now: number): void {
    const { fx } = this.ctx;
    const c = fx.conns.get(conn);
    if (!c) return; // a late reply from a connection we already dropped
    const link = c.link;
    if (c.which === 'cc' && link.pendingCommands > 0) link.pendingCommands--;
    const ri = fx.instances.get(tag.id);
    if (!ri || ri.link !== link) return; // its instance is gone, or moved to another link
    switch (tag.kind) {
      case 'ping':
        onPingReply(this.ctx, ri, value, now);
        break;
      case 'info':
        if (typeof value === 'string' && ri.kind !== 'sentinel') {
          refreshInfo(this.ctx, ri, value, now);
          this.actNow(masterOf(ri), now);
        }
        break;
      case 'publish':
        // Only a successful publish counts; after an error the hello is retried on the next tick.
        if (!isWireError(value)) ri.lastPubTime = now;
        break;
      case 'subscribe':
        // A pub/sub link whose SUBSCRIBE is refused (e.g. -NOAUTH) is useless: drop it and retry.
        if (isWireError(value)) fx.closeConn(link, 'pc');
        else link.pcLastActivity = now;
        break;
      case 'ask':
        if (ri.kind === 'sentinel') {
          onAskReply(ri, value, now);
          this.actNow(ri.master, now);
        }
        break;
      case 'handover-exec':
        if (ri.kind === 'master') {
          handoverExecReply(this.ctx, ri, value, now);
          this.actNow(ri, now);
        }
        break;
      case 'client-list':
        if (ri.kind === 'master') onClientList(this.ctx, ri, value, now);
        break;
      case 'fence-pause':
        onFencePause(this.ctx, masterOf(ri), value, now);
        break;
      case 'peer-view':
        if (ri.kind === 'sentinel') {
          onPeerView(this.ctx, ri, value, now);
          stepFence(this.ctx, ri.master, now);
        }
        break;
      case 'slaveof-exec':
        // Look at the server at once instead of waiting for the next periodic INFO.
        if (ri.kind !== 'sentinel' && ri.link.cc !== null) fx.sendInfo(ri);
        break;
      case 'ignore':
        break;
    }
  }

  /** A pub/sub message on a master's or replica's link. */
  message(conn: number, channel: string, payload: string, now: number): void {
    const c = this.ctx.fx.conns.get(conn);
    if (!c) return;
    c.link.pcLastActivity = now;
    if (channel !== HELLO_CHANNEL) return;
    // Our own hellos come back to us through the monitored servers.
    if (payload.includes(this.s.myid)) return;
    processHello(this.ctx, payload, now);
  }

  /** PUBLISH __sentinel__:hello <payload> sent to us directly by a peer. */
  helloFromPeer(payload: string, now: number): void {
    processHello(this.ctx, payload, now);
  }

  /** SENTINEL IS-MASTER-DOWN-BY-ADDR from a peer: [down, leader, leader epoch]; a vote is persisted first. */
  isMasterDownByAddr(ip: string, port: number, reqEpoch: number, runid: string, now: number): [number, string, number] {
    return answerIsMasterDown(this.ctx, ip, port, reqEpoch, runid, now);
  }

  // ------------------------------------------------------------------ named operations

  private master(name: string): MasterInstance {
    const m = this.s.masters.get(name);
    if (!m) throw new SentinelError('NO_SUCH_MASTER', 'ERR No such master with that name');
    return m;
  }

  /** SENTINEL MONITOR (validation order and texts as redis). +monitor follows with announceMonitor. */
  monitor(name: string, host: string, port: number, quorum: number, now: number): void {
    if (quorum <= 0) throw new SentinelError('BAD_QUORUM', 'ERR Quorum must be 1 or greater.');
    if (!this.s.resolveHostnames && !isIpLiteral(host)) throw new SentinelError('BAD_ADDRESS', 'ERR Invalid IP address or hostname specified');
    if (port < 0 || port > 65535) throw new SentinelError('BAD_PORT', 'ERR Invalid port number.');
    if (this.s.masters.has(name)) throw new SentinelError('DUPLICATE', 'ERR Duplicate master name.');
    const mc = newMasterConfig(name, host, port, quorum);
    mc.downAfterMs = this.s.timing.defaultDownAfter;
    mc.failoverTimeoutMs = this.s.timing.defaultFailoverTimeout;
    loadMaster(this.ctx, mc, now);
    this.ctx.fx.persist();
  }

  /** The +monitor event, emitted after the reply to MONITOR as redis does. */
  announceMonitor(name: string): void {
    const m = this.master(name);
    this.ctx.fx.event('warning', '+monitor', m, `quorum ${m.quorum}`);
  }

  /** SENTINEL REMOVE. */
  remove(name: string): void {
    const m = this.master(name);
    this.ctx.fx.event('warning', '-monitor', m);
    forgetFence(this.ctx, m, 'removed');
    this.s.masters.delete(name);
    releaseInstance(this.ctx, m);
    this.ctx.fx.persist();
  }

  /** SENTINEL RESET <pattern>: returns the number of masters reset. Not persisted (as redis). */
  reset(match: (name: string) => boolean, now: number): number {
    let n = 0;
    for (const m of this.s.masters.values()) {
      if (!match(m.name)) continue;
      forgetFence(this.ctx, m, 'reset');
      resetMaster(this.ctx, m, now, false);
      this.ctx.fx.event('warning', '+reset-master', m);
      n++;
    }
    return n;
  }

  /** SENTINEL FAILOVER [TO ip port]: a forced failover, no agreement needed, but a new epoch all the same. */
  failover(name: string, now: number, opts: FailoverOptions = {}): void {
    startManualFailover(this.ctx, this.master(name), now, opts);
  }

  /** SENTINEL FAILOVER ... DRYRUN: what the failover would do now; changes nothing. */
  failoverPlan(name: string, now: number, opts: FailoverOptions = {}): FailoverPlan {
    return planFailover(this.ctx, this.master(name), now, opts).plan;
  }

  /** Replica selection as a failover would run it now: the ranking and why each excluded one is out. */
  rankReplicas(name: string, now: number): { ranked: string[]; excluded: { name: string; reason: string }[] } {
    const r: Ranking<{ name: string }> = rankCandidates(this.ctx, this.master(name), now);
    return { ranked: r.ranked.map((x) => x.name), excluded: r.excluded.map((x) => ({ name: x.replica.name, reason: x.reason })) };
  }

  /** SENTINEL SET, one option; `eventArgs` is the +set event's text (secrets already redacted). */
  setMasterOption(name: string, change: MasterOptionChange, eventArgs: string): void {
    const m = this.master(name);
    switch (change.option) {
      case 'down-after-milliseconds':
        m.downAfterMs = change.value;
        for (const r of m.slaves.values()) r.downAfterMs = change.value;
        for (const p of m.sentinels.values()) p.downAfterMs = change.value;
        break;
      case 'failover-timeout':
        m.failoverTimeout = change.value;
        break;
      case 'parallel-syncs':
        m.parallelSyncs = change.value;
        break;
      case 'quorum':
        m.quorum = change.value;
        break;
      case 'master-reboot-down-after-period':
        m.masterRebootDownAfterPeriod = change.value;
        break;
      case 'notification-script':
        m.notificationScript = change.value || undefined;
        break;
      case 'client-reconfig-script':
        m.clientReconfigScript = change.value || undefined;
        break;
      case 'auth-pass':
      case 'auth-user':
        if (change.option === 'auth-pass') m.authPass = change.value || undefined;
        else m.authUser = change.value || undefined;
        // New credentials: reconnect the master and its replicas with them.
        this.ctx.fx.closeLink(m.link);
        for (const r of m.slaves.values()) this.ctx.fx.closeLink(r.link);
        break;
      case 'fence-minority':
        m.fenceMinority = change.value;
        break;
      case 'fence-after-milliseconds':
        m.fenceAfterMs = change.value;
        break;
      case 'rename-command':
        m.renamedCommands?.delete(change.from.toUpperCase());
        if (change.from.toLowerCase() !== change.to.toLowerCase()) (m.renamedCommands ??= new Map()).set(change.from.toUpperCase(), change.to);
        break;
    }
    this.ctx.fx.event('warning', '+set', m, eventArgs);
  }

  /** SENTINEL CONFIG SET of a global parameter (value validated by the command layer). */
  setGlobal(param: GlobalParam, value: string): void {
    const s = this.s;
    switch (param) {
      case 'resolve-hostnames':
        s.resolveHostnames = yesNo(value) === true;
        break;
      case 'announce-hostnames':
        s.announceHostnames = yesNo(value) === true;
        break;
      case 'announce-ip':
        // redis 7.x stores "" and announces an empty IP; we treat empty as unset.
        s.announceIp = value;
        break;
      case 'announce-port':
        s.announcePort = Number(value);
        break;
      case 'sentinel-user':
      case 'sentinel-pass':
        if (param === 'sentinel-user') s.sentinelUser = value;
        else s.sentinelPass = value;
        break;
    }
  }

  /** Closes every link to peer sentinels, so they are reopened with new credentials. */
  reconnectPeers(): void {
    for (const m of this.s.masters.values()) for (const p of m.sentinels.values()) this.ctx.fx.closeLink(p.link);
  }

  getGlobal(param: GlobalParam): string {
    const s = this.s;
    switch (param) {
      case 'resolve-hostnames':
        return s.resolveHostnames ? 'yes' : 'no';
      case 'announce-hostnames':
        return s.announceHostnames ? 'yes' : 'no';
      case 'announce-ip':
        return s.announceIp;
      case 'announce-port':
        return String(s.announcePort);
      case 'sentinel-user':
        return s.sentinelUser;
      case 'sentinel-pass':
        return s.sentinelPass;
    }
  }

  /** SENTINEL DEBUG <param> <value>: parameter names as DEBUG_PARAMS lists them. */
  setTiming(key: keyof Timing, ms: number): void {
    this.s.timing[key] = ms;
  }

  /** SENTINEL SIMULATE-FAILURE flags (SIMFAILURE_* in state.ts). */
  simulateFailure(flags: number): void {
    this.s.simFailureFlags = flags;
  }

  /** SENTINEL FLUSHCONFIG and anything else that asks for the config to be written now. */
  flushConfig(): void {
    this.ctx.fx.persist();
  }

  // ------------------------------------------------------------------ reads

  get myid(): string {
    return this.s.myid;
  }
  get currentEpoch(): number {
    return this.s.currentEpoch;
  }
  get denyScriptsReconfig(): boolean {
    return this.s.denyScriptsReconfig;
  }
  /** In TILT mode (INFO's sentinel section then shows the seconds since it began). */
  get tilt(): boolean {
    return this.s.tilt;
  }
  get timing(): Readonly<Timing> {
    return this.s.timing;
  }
  /** DEBUG's reply order: [name, ms] pairs. */
  timingList(): [string, number][] {
    return DEBUG_PARAMS.map(([n, k]) => [n, this.s.timing[k]]);
  }

  masterNames(): string[] {
    return [...this.s.masters.keys()];
  }

  hasMaster(name: string): boolean {
    return this.s.masters.has(name);
  }

  /** SENTINEL MASTERS: every master's field map. */
  mastersFields(now: number): Fields[] {
    return fieldMapPairs(this.mastersFieldMaps(now));
  }

  /** The same maps, written on demand straight into the encoder (see fieldMapList). */
  mastersFieldMaps(now: number): FieldMapList {
    return fieldMapList(this.s, [...this.s.masters.values()], now);
  }

  /**
   * SENTINEL MASTER / REPLICAS / SENTINELS; throws NO_SUCH_MASTER. `replicas` leaves out those
   * hidden by replica-announced no, as the command does; `all-replicas` keeps them.
   */
  fields(name: string, what: 'master' | 'replicas' | 'all-replicas' | 'sentinels', now: number): Fields[] {
    return fieldMapPairs(this.fieldMaps(name, what, now));
  }

  /** As fields(), written on demand straight into the encoder. */
  fieldMaps(name: string, what: 'master' | 'replicas' | 'all-replicas' | 'sentinels', now: number): FieldMapList {
    return fieldMapList(this.s, this.listed(name, what), now);
  }

  private listed(name: string, what: 'master' | 'replicas' | 'all-replicas' | 'sentinels'): AnyInstance[] {
    const m = this.master(name);
    if (what === 'master') return [m];
    if (what === 'sentinels') return [...m.sentinels.values()];
    const replicas = [...m.slaves.values()];
    return what === 'replicas' ? replicas.filter((r) => r.replicaAnnounced) : replicas;
  }

  /** GET-MASTER-ADDR-BY-NAME: the address clients should use, or null for an unknown name. */
  masterAddr(name: string): { host: string; port: number } | null {
    const m = this.s.masters.get(name);
    if (!m) return null;
    const a = currentMasterAddr(m);
    return { host: this.ctx.fx.announceAddr(a), port: a.port };
  }

  /** INFO-CACHE: the master's and each replica's last INFO text and its age in ms (0 = never). */
  infoCache(name: string, now: number): { age: number; info: string | null }[] | null {
    const m = this.s.masters.get(name);
    if (!m) return null;
    return [m, ...m.slaves.values()].map((ri) => ({ age: ri.infoRefresh ? now - ri.infoRefresh : 0, info: ri.info || null }));
  }

  /** CKQUORUM: usable = us + peers not in SDOWN/ODOWN, against the quorum and the majority. */
  ckquorum(name: string): { usable: number; quorumOk: boolean; majorityOk: boolean } {
    const m = this.master(name);
    let usable = 1;
    for (const p of m.sentinels.values()) if (!p.sDown && !p.oDown) usable++;
    return { usable, ...quorumCheck(usable, m.sentinels.size + 1, m.quorum) };
  }

  /** The `# Sentinel` INFO section body. */
  infoSection(now: number, scripts: { running: number; queued: number }): string {
    return infoSentinel(this.s, now, scripts);
  }

  /** A structured plain view of everything (tests, metrics, HTTP API). */
  snapshot(): CoreSnapshot {
    return coreSnapshot(this.s);
  }

  /** The plain view of one master, or null for an unknown name. */
  masterSnapshot(name: string): MasterSnapshot | null {
    const m = this.s.masters.get(name);
    return m ? masterSnapshot(this.s, m) : null;
  }

  exportGlobals(): SentinelGlobals {
    return exportGlobals(this.s);
  }

  exportMasters(): MasterConfig[] {
    return exportMasters(this.s);
  }

}
