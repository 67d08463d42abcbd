/**
 * The failover state machine, one step function per state (the raft `stepX` style):
 *
 *   wait_start -> select_slave -> send_slaveof_noone -> wait_promotion -> reconf_slaves -> update_config
 *
 * `stepFailover` runs the function of the current state; each one either waits (returns with
 * the state unchanged), moves to the next state, or aborts. Leaving wait_promotion is driven by
 * the promoted replica's INFO (confirmPromotion), leaving update_config by the core's switch to
 * the new master (switchToPromotedSlave). The rules each step applies live in rules/.
 */
import type { Wire } from './actions.js';
import type { Addr } from './addr.js';
import type { FailoverState, MasterInstance, ReplicaInstance } from './instance.js';
import { masterOf } from './instance.js';
import type { AnyInstance } from './instance.js';
import { resetMasterAndChangeAddress } from './registry.js';
import { electionTimedOut, failoverRetryAllowed } from './rules/election.js';
import { chosenReplica } from './rules/manual.js';
import { helloDue } from './rules/hello.js';
import { PAUSE_LEASE_MS, SYNC_BUDGET_MS, execFailed, handoverDue, handoverState, leaseRenewalDue } from './rules/coordinated.js';
import { failoverEnd, planReconfiguration, stillToReconfigure } from './rules/reconf.js';
import type { Ranking } from './rules/selection.js';
import { rankReplicas } from './rules/selection.js';
import type { CoreContext } from './state.js';
import { SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION } from './state.js';
import { electLeader } from './voting.js';
import { sendHello } from './links.js';

/** How long replica selection waits for the fresh INFO it asked the candidates for. */
const SELECT_INFO_WAIT_MS = 1000;

type Step = (ctx: CoreContext, m: MasterInstance, now: number) => void;

const STEPS: Partial<Record<FailoverState, Step>> = {
  wait_start: stepWaitStart,
  select_slave: stepSelectSlave,
  send_slaveof_noone: stepSendSlaveofNoone,
  wait_promotion: stepWaitPromotion,
  reconf_slaves: stepReconfSlaves,
};

/**
 * A coordinated failover (COORDINATED) differs in two states: the master is asked to hand over
 * (FAILOVER TO under a write pause) instead of the replica being told SLAVEOF NO ONE, and while
 * waiting for the promotion the pause is renewed and the master's own verdict is read.
 */
const COORDINATED_STEPS: Partial<Record<FailoverState, Step>> = {
  ...STEPS,
  send_slaveof_noone: stepSendHandover,
  wait_promotion: stepWaitHandover,
};

/** Runs the current state's step once. */
export function stepFailover(ctx: CoreContext, m: MasterInstance, now: number): void {
  if (!m.failoverInProgress) return;
  (m.coordinated ? COORDINATED_STEPS : STEPS)[m.failoverState]?.(ctx, m, now);
}

/** Runs steps until the machine waits for something (redis moves one state per timer run). */
export function runFailoverSteps(ctx: CoreContext, m: MasterInstance, now: number): void {
  for (let i = 0; i < 8; i++) {
    const before = m.failoverState;
    stepFailover(ctx, m, now);
    if (m.failoverState === before || m.failoverState === 'update_config') return;
  }
}

function setState(m: MasterInstance, state: FailoverState, now: number): void {
  m.failoverState = state;
  m.failoverStateChangeTime = now;
}

/** Starts a failover when the master is ODOWN, none is running, and the retry delay has passed. */
export function startFailoverIfNeeded(ctx: CoreContext, m: MasterInstance, now: number): boolean {
  if (!m.oDown || m.failoverInProgress) return false;
  if (!failoverRetryAllowed(m.failoverStartTime, m.failoverTimeout, now)) {
    if (m.failoverDelayLogged !== m.failoverStartTime) {
      m.failoverDelayLogged = m.failoverStartTime;
      const when = new Date(m.failoverStartTime + m.failoverTimeout * 2).toUTCString();
      ctx.fx.log('warning', `Next failover delay: I will not start a failover before ${when}`);
    }
    return false;
  }
  startFailover(ctx, m, now);
  return true;
}

/** A new epoch for this failover, and the wait_start state. */
export function startFailover(ctx: CoreContext, m: MasterInstance, now: number): void {
  const { s, fx } = ctx;
  m.failoverState = 'wait_start';
  m.failoverInProgress = true;
  m.failoverEpoch = ++s.currentEpoch;
  fx.masterEvent('warning', '+new-epoch', m, String(s.currentEpoch));
  fx.event('warning', '+try-failover', m);
  // Jitter keeps sentinels that noticed the failure together from splitting votes for ever.
  m.failoverStartTime = now + Math.floor(ctx.random() * 1000);
  m.failoverStateChangeTime = now;
}

/** wait_start: become the leader of this epoch (or be forced), else give up after the election timeout. */
function stepWaitStart(ctx: CoreContext, m: MasterInstance, now: number): void {
  const { s, fx } = ctx;
  const leader = electLeader(ctx, m, m.failoverEpoch, now);
  const isLeader = leader !== null && leader.toLowerCase() === s.myid;
  if (!isLeader && !m.forceFailover) {
    if (electionTimedOut(m.failoverStartTime, s.timing.electionTimeout, m.failoverTimeout, now)) {
      fx.event('warning', '-failover-abort-not-elected', m);
      abortFailover(m, now);
    }
    return;
  }
  fx.event('warning', '+elected-leader', m);
  if (s.simFailureFlags & SIMFAILURE_CRASH_AFTER_ELECTION) {
    simulatedCrash(ctx);
    return;
  }
  setState(m, 'select_slave', now);
  fx.event('warning', '+failover-state-select-slave', m);
}

/** select_slave: ask the candidates for fresh INFO, then choose (or abort when none qualifies). */
function stepSelectSlave(ctx: CoreContext, m: MasterInstance, now: number): void {
  const fx = ctx.fx;
  // Choose on fresh facts: ask every reachable replica for its INFO (offset, priority, link)
  // now, and select when they have all answered, or after a short bound.
  if (m.selectInfoRequestedAt === 0) {
    m.selectInfoRequestedAt = now;
    for (const r of m.slaves.values()) if (!r.link.disconnected && !r.sDown) fx.sendInfo(r);
  }
  const waiting = [...m.slaves.values()].some((r) => !r.link.disconnected && !r.sDown && r.infoRefresh < m.selectInfoRequestedAt);
  if (waiting && now - m.selectInfoRequestedAt < SELECT_INFO_WAIT_MS) return;
  m.selectInfoRequestedAt = 0;
  const slave = chosenReplica(rankCandidates(ctx, m, now).ranked, m.failoverTarget);
  if (!slave) {
    fx.event('warning', '-failover-abort-no-good-slave', m);
    abortFailover(m, now);
    return;
  }
  fx.event('warning', '+selected-slave', slave);
  slave.promoted = true;
  m.promotedSlave = slave;
  setState(m, 'send_slaveof_noone', now);
  fx.event('notice', '+failover-state-send-slaveof-noone', slave);
}

/** send_slaveof_noone: send SLAVEOF NO ONE once the chosen replica is reachable. */
function stepSendSlaveofNoone(ctx: CoreContext, m: MasterInstance, now: number): void {
  const slave = m.promotedSlave;
  if (!slave) return;
  if (slave.link.disconnected) {
    if (now - m.failoverStateChangeTime > m.failoverTimeout) {
      ctx.fx.event('warning', '-failover-abort-slave-timeout', m);
      abortFailover(m, now);
    }
    return;
  }
  if (!sendSlaveOf(ctx, slave, null)) return;
  ctx.fx.event('notice', '+failover-state-wait-promotion', slave);
  setState(m, 'wait_promotion', now);
}

/** wait_promotion: the replica's INFO confirms (confirmPromotion); here only the timeout. */
function stepWaitPromotion(ctx: CoreContext, m: MasterInstance, now: number): void {
  if (now - m.failoverStateChangeTime > m.failoverTimeout) {
    ctx.fx.event('warning', '-failover-abort-slave-timeout', m);
    abortFailover(m, now);
  }
}

/** The promoted replica reports role:master: the failover can no longer be aborted. */
export function confirmPromotion(ctx: CoreContext, m: MasterInstance, slave: ReplicaInstance, now: number): void {
  const { s, fx } = ctx;
  m.configEpoch = m.failoverEpoch;
  setState(m, 'reconf_slaves', now);
  fx.persist();
  fx.event('warning', '+promoted-slave', slave);
  if (s.simFailureFlags & SIMFAILURE_CRASH_AFTER_PROMOTION) {
    simulatedCrash(ctx);
    return;
  }
  if (m.coordinated) finishHandover(ctx, m, slave);
  fx.event('warning', '+failover-state-reconf-slaves', m);
  clientReconfigScript(ctx, m, 'leader', m.addr, slave.addr);
  forceHelloUpdate(ctx, m);
  // Tell the peers about the new configuration now rather than on the next timer run.
  for (const ri of [m, ...m.slaves.values(), ...m.sentinels.values()]) {
    if (!ri.link.disconnected && helloDue(ri.lastPubTime, s.timing.publishPeriod, now)) sendHello(ctx, ri);
  }
}

/** Back-dates the last hello times so the new configuration goes out on the next timer run. */
function forceHelloUpdate(ctx: CoreContext, m: MasterInstance): void {
  const p = ctx.s.timing.publishPeriod;
  for (const ri of [m, ...m.slaves.values(), ...m.sentinels.values()]) {
    if (ri.lastPubTime >= p + 1) ri.lastPubTime -= p + 1;
  }
}

/** reconf_slaves: point the other replicas at the promoted one, parallel-syncs at a time. */
function stepReconfSlaves(ctx: CoreContext, m: MasterInstance, now: number): void {
  const fx = ctx.fx;
  const promoted = m.promotedSlave;
  if (!promoted) return;
  for (const { replica: r, step } of planReconfiguration(m.slaves.values(), m.parallelSyncs, ctx.s.timing.slaveReconfTimeout, now)) {
    if (step === 'timed-out') {
      fx.event('notice', '-slave-reconf-sent-timeout', r);
      r.reconf = 'done';
    } else if (sendSlaveOf(ctx, r, promoted.addr)) {
      r.reconf = 'sent';
      r.slaveReconfSentTime = now;
      fx.event('notice', '+slave-reconf-sent', r);
    }
  }
  detectEnd(ctx, m, promoted, now);
}

/** The end of reconf_slaves: all replicas done, or the failover timeout (then tell the rest anyway). */
function detectEnd(ctx: CoreContext, m: MasterInstance, promoted: ReplicaInstance, now: number): void {
  const fx = ctx.fx;
  if (promoted.sDown) return;
  const end = failoverEnd(m.slaves.values(), m.failoverStateChangeTime, m.failoverTimeout, now);
  if (end.timeout) fx.event('warning', '+failover-end-for-timeout', m);
  if (end.end) {
    fx.event('warning', '+failover-end', m);
    setState(m, 'update_config', now);
  }
  if (!end.timeout) return;
  for (const r of stillToReconfigure(m.slaves.values())) {
    if (sendSlaveOf(ctx, r, promoted.addr)) {
      fx.event('notice', '+slave-reconf-sent-be', r);
      r.reconf = 'sent';
    }
  }
}

/** update_config: the master entry now names the promoted replica (+switch-master). */
export function switchToPromotedSlave(ctx: CoreContext, m: MasterInstance, now: number): void {
  const fx = ctx.fx;
  const ref = m.promotedSlave ?? m;
  fx.masterEvent('warning', '+switch-master', m, `${m.name} ${fx.announceAddr(m.addr)} ${m.addr.port} ${fx.announceAddr(ref.addr)} ${ref.addr.port}`);
  resetMasterAndChangeAddress(ctx, m, ref.addr.hostname, ref.addr.port, now);
}

export function abortFailover(m: MasterInstance, now: number): void {
  m.clearFailoverRun();
  setState(m, 'none', now);
}

// ------------------------------------------------------------------ coordinated hand-over

/**
 * send_slaveof_noone, coordinated: one transaction on the master, MULTI {CLIENT PAUSE <lease>
 * WRITE; FAILOVER TO <target> TIMEOUT <sync budget>}. The master pauses its writers, waits until
 * the target has acknowledged every write, demotes itself and makes the target promote itself;
 * our pause keeps the writers waiting (not failing with READONLY) until their connections are
 * killed after the promotion. The EXEC reply is read (handoverExecReply).
 */
function stepSendHandover(ctx: CoreContext, m: MasterInstance, now: number): void {
  const fx = ctx.fx;
  const target = m.promotedSlave;
  if (!target) return;
  if (m.link.disconnected || m.link.cc === null) {
    if (now - m.failoverStateChangeTime > SYNC_BUDGET_MS) abortHandover(ctx, m, now, 'the master is unreachable');
    return;
  }
  if (!handoverDue({ ackChangedAt: target.ackChangedAt, dueSince: m.failoverStateChangeTime }, now)) return;
  fx.send(m, 'cc', 'ignore', [m.cmd('MULTI')]);
  fx.send(m, 'cc', 'ignore', [m.cmd('CLIENT'), 'PAUSE', String(PAUSE_LEASE_MS), 'WRITE']);
  // The target as the master lists it in INFO (FAILOVER TO matches that address, not a name).
  fx.send(m, 'cc', 'ignore', [m.cmd('FAILOVER'), 'TO', target.addr.ip, String(target.addr.port), 'TIMEOUT', String(SYNC_BUDGET_MS)]);
  fx.send(m, 'cc', 'handover-exec', [m.cmd('EXEC')]);
  m.pauseLeaseUntil = now + PAUSE_LEASE_MS;
  m.handoverSentAt = now;
  fx.event('notice', '+failover-state-wait-promotion', target);
  setState(m, 'wait_promotion', now);
  // Watch the master's verdict closely from now on (links.ts polls INFO every 100 ms).
  fx.sendInfo(m);
}

/** The EXEC of the hand-over: an error anywhere in it means the master will not hand over. */
export function handoverExecReply(ctx: CoreContext, m: MasterInstance, value: Wire, now: number): void {
  if (!m.coordinated || m.failoverState !== 'wait_promotion') return;
  m.handoverExecAt = now;
  const failed = execFailed(value);
  if (failed !== null) abortHandover(ctx, m, now, `the master refused: ${failed}`);
}

/**
 * wait_promotion, coordinated: the promoted replica's INFO ends it (confirmPromotion). Meanwhile
 * the pause is renewed while the master is still handing over, and the master's own verdict is
 * read: back to master with no failover means it gave up (the target did not catch up within the
 * sync budget, or refused the PSYNC): unpause and abort at once.
 */
function stepWaitHandover(ctx: CoreContext, m: MasterInstance, now: number): void {
  const fx = ctx.fx;
  // Only an INFO answered after the EXEC tells the master's verdict (replies come in order: one
  // answered at the EXEC's time or before may have run before the FAILOVER).
  if (m.handoverExecAt !== 0 && m.infoRefresh > m.handoverExecAt) {
    const state = handoverState(m.roleReported, m.serverFailoverState);
    if (state === 'server-aborted') {
      abortHandover(ctx, m, now, 'the master gave up the hand-over (the target did not catch up in time)');
      return;
    }
  }
  if (now - m.failoverStateChangeTime > m.failoverTimeout) {
    fx.event('warning', '-failover-abort-slave-timeout', m);
    abortHandover(ctx, m, now, 'no promotion within failover-timeout');
    return;
  }
  // Renew only while the hand-over can still complete: at most the sync budget plus a few leases.
  const renewing = now - m.handoverSentAt < SYNC_BUDGET_MS + 3 * PAUSE_LEASE_MS;
  if (renewing && !m.link.disconnected && leaseRenewalDue(m.pauseLeaseUntil, now)) {
    if (fx.send(m, 'cc', 'ignore', [m.cmd('CLIENT'), 'PAUSE', String(PAUSE_LEASE_MS), 'WRITE'])) m.pauseLeaseUntil = now + PAUSE_LEASE_MS;
  }
}

/** After the promotion: clients of both servers reconnect through the sentinels; the old master's writers are released. */
function finishHandover(ctx: CoreContext, m: MasterInstance, promoted: ReplicaInstance): void {
  const fx = ctx.fx;
  for (const [ri, unpause] of [
    [m, true],
    [promoted, false],
  ] as const) {
    if (ri.link.disconnected) continue;
    fx.send(ri, 'cc', 'ignore', [m.cmd('MULTI')]);
    fx.send(ri, 'cc', 'ignore', [m.cmd('CONFIG'), 'REWRITE']);
    // Killed before the unpause, in one EXEC: the paused writes die with their connections and
    // are never run on the demoted node.
    fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'KILL', 'TYPE', 'normal']);
    fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'KILL', 'TYPE', 'pubsub']);
    if (unpause) fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'UNPAUSE']);
    fx.send(ri, 'cc', 'ignore', [m.cmd('EXEC')]);
  }
  m.pauseLeaseUntil = 0;
}

/** Ends a coordinated failover that cannot complete: the master is never left paused. */
function abortHandover(ctx: CoreContext, m: MasterInstance, now: number, why: string): void {
  const fx = ctx.fx;
  fx.event('warning', '-failover-abort-coordinated', m, why);
  if (!m.link.disconnected && m.handoverSentAt !== 0) {
    if (m.serverFailoverState === 'waiting-for-sync') fx.send(m, 'cc', 'ignore', [m.cmd('FAILOVER'), 'ABORT']);
    fx.send(m, 'cc', 'ignore', [m.cmd('CLIENT'), 'UNPAUSE']);
  }
  abortFailover(m, now);
}

/** Every replica of the master ranked for promotion, or excluded with the reason (rules/selection.ts). */
export function rankCandidates(ctx: CoreContext, m: MasterInstance, now: number): Ranking<ReplicaInstance> {
  return rankReplicas(m.slaves.values(), m, ctx.s.timing, now, ctx.rules.mayPromotePriorityZero);
}

/**
 * The reconfiguration transaction every change of a server's role goes through. Replies are
 * ignored: success is judged from later INFO. The CLIENT KILLs make clients reconnect and
 * ask the sentinels again.
 */
export function sendSlaveOf(ctx: CoreContext, ri: AnyInstance, target: Addr | null, opts: { unpause?: boolean } = {}): boolean {
  if (ri.link.cc === null || ri.link.disconnected) return false;
  const fx = ctx.fx;
  const m = masterOf(ri);
  const host = target ? fx.announceAddr(target) : 'NO';
  const port = target ? String(target.port) : 'ONE';
  fx.send(ri, 'cc', 'ignore', [m.cmd('MULTI')]);
  fx.send(ri, 'cc', 'ignore', [m.cmd('SLAVEOF'), host, port]);
  fx.send(ri, 'cc', 'ignore', [m.cmd('CONFIG'), 'REWRITE']);
  fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'KILL', 'TYPE', 'normal']);
  fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'KILL', 'TYPE', 'pubsub']);
  // A fenced old master: lifted in the same transaction, once it is a replica (a paused replica
  // would not apply the replication stream).
  if (opts.unpause) fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'UNPAUSE']);
  fx.send(ri, 'cc', 'slaveof-exec', [m.cmd('EXEC')]);
  return true;
}

function simulatedCrash(ctx: CoreContext): void {
  ctx.fx.log('warning', 'Sentinel is simulating a failure as requested (SENTINEL SIMULATE-FAILURE). Exiting...');
  ctx.fx.exit(99);
}

/** Queues the master's client-reconfig-script, if any. */
export function clientReconfigScript(ctx: CoreContext, m: MasterInstance, role: 'leader' | 'observer', from: Addr, to: Addr): void {
  if (!m.clientReconfigScript) return;
  const fx = ctx.fx;
  fx.script(m.clientReconfigScript, [m.name, role, 'start', fx.announceAddr(from), String(from.port), fx.announceAddr(to), String(to.port)]);
}
