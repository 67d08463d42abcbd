/**
 * Keeping in touch with every instance: (re)connecting, the periodic PING / INFO / hello traffic,
 * and what connection events and PING replies mean for a link. The rules for when an instance
 * counts as down are in rules/sdown.ts; this module only keeps the link's facts up to date.
 */
import type { Wire } from './actions.js';
import { isWireError } from './actions.js';
import { isIpLiteral } from '../util/ip.js';
import { formatHello } from './hello-message.js';
import type { AnyInstance, Link } from './instance.js';
import { heldByFence, masterOf } from './instance.js';
import { currentMasterAddr } from './registry.js';
import { fenceAfter, peerPingPeriod } from './rules/fence.js';
import { SEND_HELLO, SEND_INFO, SEND_PING, periodicDue } from './rules/periodic.js';
import { classifyPingReply, connectTimedOut } from './rules/sdown.js';
import type { CoreContext } from './state.js';
import { HELLO_CHANNEL, MAX_PENDING_COMMANDS } from './timing.js';

function authArgs(ctx: CoreContext, ri: AnyInstance): string[] | null {
  const s = ctx.s;
  if (ri.kind === 'sentinel') {
    if (s.sentinelPass) return s.sentinelUser ? [s.sentinelUser, s.sentinelPass] : [s.sentinelPass];
    if (s.requirepass) return [s.requirepass];
    return null;
  }
  const m = masterOf(ri);
  if (!m.authPass) return null;
  return m.authUser ? [m.authUser, m.authPass] : [m.authPass];
}

/** Opens the missing connections of a disconnected link, at most once per ping period. */
export function reconnect(ctx: CoreContext, ri: AnyInstance, now: number): void {
  const { s, fx } = ctx;
  const link = ri.link;
  // (Written out for each connection: this runs for every instance at every timer run.)
  if (link.cc !== null && connectTimedOut(fx.conns.get(link.cc)?.established ?? true, link.ccConnTime, now)) fx.closeConn(link, 'cc');
  if (link.pc !== null && connectTimedOut(fx.conns.get(link.pc)?.established ?? true, link.pcConnTime, now)) fx.closeConn(link, 'pc');
  if (!link.disconnected) return;
  if (ri.addr.port === 0) return;
  if (now - link.lastReconnTime < s.timing.pingPeriod) return;
  if (s.connectBudget <= 0) return;
  s.connectBudget--;
  link.lastReconnTime = now;
  const m = masterOf(ri);
  const auth = authArgs(ctx, ri);
  const shortId = s.myid.slice(0, 8);
  if (link.cc === null) {
    fx.openConn(link, 'cc', ri.addr.ip, ri.addr.port);
    link.ccConnTime = now;
    link.pendingCommands = 0;
    if (auth) fx.send(ri, 'cc', 'ignore', [m.cmd('AUTH'), ...auth]);
    fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'SETNAME', `sentinel-${shortId}-cmd`]);
    sendPing(ctx, ri, now);
    // A server we just (re)connected to may have restarted in another role: look at once
    // instead of waiting up to an INFO period (10 s) to find out.
    if (ri.kind !== 'sentinel') fx.sendInfo(ri);
  }
  if (ri.kind !== 'sentinel' && link.pc === null) {
    fx.openConn(link, 'pc', ri.addr.ip, ri.addr.port);
    link.pcConnTime = now;
    link.pcLastActivity = now;
    if (auth) fx.send(ri, 'pc', 'ignore', [m.cmd('AUTH'), ...auth]);
    fx.send(ri, 'pc', 'ignore', [m.cmd('CLIENT'), 'SETNAME', `sentinel-${shortId}-pubsub`]);
    fx.send(ri, 'pc', 'subscribe', [m.cmd('SUBSCRIBE'), HELLO_CHANNEL]);
  }
  if (link.cc !== null && (ri.kind === 'sentinel' || link.pc !== null)) link.disconnected = false;
}

function sendPing(ctx: CoreContext, ri: AnyInstance, now: number): boolean {
  if (!ctx.fx.send(ri, 'cc', 'ping', [masterOf(ri).cmd('PING')])) return false;
  ri.link.lastPingTime = now;
  if (ri.link.actPingTime === 0) ri.link.actPingTime = now;
  return true;
}

/** PING every ping period (or down-after, if shorter), INFO every info period, a hello every publish period. */
export function sendPeriodicCommands(ctx: CoreContext, ri: AnyInstance, now: number): void {
  const t = ctx.s.timing;
  const link = ri.link;
  if (link.disconnected) return;
  if (link.pendingCommands >= MAX_PENDING_COMMANDS * link.refcount) return;
  let infoPeriod = t.infoPeriod;
  // Replicas in a transition are watched every second: during a failover, when their link
  // to the master is down, and when one claims to be a master (an old master coming back,
  // to be converted as soon as the observation window allows).
  if (
    ri.kind === 'slave' &&
    (ri.master.oDown || ri.master.failoverInProgress || ri.masterLinkDownTime !== 0 || (ri.infoRefresh !== 0 && ri.roleReported === 'master'))
  ) {
    infoPeriod = 1000;
  }
  // During a coordinated hand-over the master's verdict and the target's promotion are read
  // every 100 ms: writers wait meanwhile.
  const m = masterOf(ri);
  // Before it, the master's INFO is read every 50 ms: it shows when each replica acknowledges,
  // which times the hand-over (rules/coordinated.ts handoverDue).
  const handingOver = m.coordinated && m.failoverState === 'wait_promotion';
  if (handingOver && (ri === m || ri === m.promotedSlave)) infoPeriod = 100;
  if (m.coordinated && ri === m && !handingOver && m.failoverState !== 'none') infoPeriod = 50;
  // A master running a FAILOVER (ours, a peer's or an operator's) is watched every second, so
  // that its end is seen soon (a coordinated failover is refused while one seems to run).
  if (ri === m && m.serverFailoverState !== null && m.serverFailoverState !== 'no-failover') infoPeriod = Math.min(infoPeriod, 1000);
  let pingPeriod = Math.min(ri.downAfterMs, t.pingPeriod);
  // Fencing judges peers by their replies within fence-after: ping them often enough.
  if (ri.kind === 'sentinel' && m.fenceMinority) pingPeriod = Math.min(pingPeriod, peerPingPeriod(t.pingPeriod, fenceAfter(m.fenceAfterMs, m.downAfterMs)));
  // No hello to a server we paused (a hand-over or a fence): our PUBLISH would wait behind the
  // pause, and every command after it on this link with it.
  const paused = (ri === m && m.pauseLeaseUntil > now) || heldByFence(ri);
  const due = periodicDue({
    now,
    lastPingTime: link.lastPingTime,
    lastPongTime: link.lastPongTime,
    pingPeriod,
    infoRefresh: ri.infoRefresh,
    infoPeriod: ri.kind === 'sentinel' ? null : infoPeriod,
    lastPubTime: ri.lastPubTime,
    publishPeriod: t.publishPeriod,
    helloAllowed: !paused,
  });
  if (due & SEND_INFO) ctx.fx.sendInfo(ri);
  if (due & SEND_PING) sendPing(ctx, ri, now);
  if (due & SEND_HELLO) sendHello(ctx, ri);
}

/** Publishes our hello (who we are, our epoch, our view of the master) through an instance. */
export function sendHello(ctx: CoreContext, ri: AnyInstance): void {
  const { s, fx } = ctx;
  if (ri.link.disconnected) return;
  const m = masterOf(ri);
  const ip = s.announceIp || ri.link.localIp;
  if (!ip) return;
  const maddr = currentMasterAddr(m);
  const payload = formatHello({
    ip,
    port: s.announcePort || s.port,
    runid: s.myid,
    currentEpoch: s.currentEpoch,
    masterName: m.name,
    masterIp: fx.announceAddr(maddr),
    masterPort: maddr.port,
    masterConfigEpoch: m.configEpoch,
  });
  fx.send(ri, 'cc', 'publish', [m.cmd('PUBLISH'), HELLO_CHANNEL, payload]);
}

function* instancesOfLink(ctx: CoreContext, link: Link): Generator<AnyInstance> {
  for (const m of ctx.s.masters.values()) {
    if (m.link === link) yield m;
    for (const r of m.slaves.values()) if (r.link === link) yield r;
    for (const p of m.sentinels.values()) if (p.link === link) yield p;
  }
}

/** A connection the core asked for is open. */
export function onConnected(ctx: CoreContext, conn: number, localIp: string, remoteIp: string): void {
  const c = ctx.fx.conns.get(conn);
  if (!c) return;
  c.established = true;
  if (c.which === 'cc') c.link.localIp = localIp;
  // A name resolved by the connection tells us the IP to show when announce-hostnames is off.
  // (Only then are the instances looked for: that scan of every instance, on each of thousands
  // of connections opening at start-up, kept 5,000 masters busy for seconds, into TILT.)
  if (isIpLiteral(c.host) || !remoteIp) return;
  for (const ri of instancesOfLink(ctx, c.link)) {
    if (!isIpLiteral(ri.addr.hostname)) ri.addr.ip = remoteIp;
  }
}

/** A connection closed (or could not be opened). */
export function onClosed(ctx: CoreContext, conn: number, reason: string): void {
  const c = ctx.fx.conns.get(conn);
  if (!c) return;
  ctx.fx.conns.delete(conn);
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
  ctx.fx.log('debug', `-${which === 'cc' ? 'cmd' : 'pubsub'}-link-reconnection #${reason}`);
}

/** Any reply to a PING refreshes the link; only an acceptable one ends the outage. */
export function onPingReply(ctx: CoreContext, ri: AnyInstance, value: Wire, now: number): void {
  const link = ri.link;
  link.lastPongTime = now;
  const text = typeof value === 'string' ? value : isWireError(value) ? value.error : '';
  const cls = classifyPingReply(text);
  if (cls === 'ok') {
    link.lastAvailTime = now;
    link.actPingTime = 0;
    if (ri.kind === 'master' && text.startsWith('PONG')) ri.rebooted = false;
  } else if (cls === 'busy' && ri.sDown && !ri.scriptKillSent) {
    if (ctx.fx.send(ri, 'cc', 'ignore', [masterOf(ri).cmd('SCRIPT'), 'KILL'])) ri.scriptKillSent = true;
  }
}
