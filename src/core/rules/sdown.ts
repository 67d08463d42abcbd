/**
 * Subjective down (SDOWN): this sentinel's own opinion that an instance is unreachable or
 * misbehaving, and the housekeeping of links that stopped answering.
 * Pure: facts and the time in, a decision out.
 */

/** What the SDOWN rules read of a link (times in ms on the core's clock; 0 = never). */
export interface LinkFacts {
  readonly disconnected: boolean;
  /** Time of the oldest PING still unanswered; 0 when none is outstanding. */
  readonly actPingTime: number;
  readonly lastAvailTime: number;
  readonly lastPongTime: number;
  readonly cc: number | null;
  readonly pc: number | null;
  readonly ccConnTime: number;
  readonly pcConnTime: number;
  readonly pcLastActivity: number;
}

/**
 * How long the instance has gone without an acceptable reply: since the oldest unanswered PING,
 * or, on a disconnected link with nothing outstanding, since the last acceptable reply.
 */
export function unansweredFor(link: LinkFacts, now: number): number {
  if (link.actPingTime) return now - link.actPingTime;
  if (link.disconnected) return now - link.lastAvailTime;
  return 0;
}

/** What SDOWN reads of an instance besides its link. */
export interface SdownFacts {
  readonly kind: 'master' | 'slave' | 'sentinel';
  readonly downAfterMs: number;
  readonly roleReported: 'master' | 'slave';
  readonly roleReportedTime: number;
  /** Masters only: the run id changed while master-reboot-down-after-period is set. */
  readonly rebooted?: boolean;
  readonly rebootSinceTime?: number;
  readonly masterRebootDownAfterPeriod?: number;
}

/**
 * An instance is subjectively down when it has not answered acceptably for down-after-ms; a
 * master also when it has been reporting role:slave for down-after + 2 INFO periods, or when it
 * rebooted and has not answered PONG within master-reboot-down-after-period.
 */
export function isSubjectivelyDown(ri: SdownFacts, link: LinkFacts, infoPeriod: number, now: number): boolean {
  if (unansweredFor(link, now) > ri.downAfterMs) return true;
  if (ri.kind !== 'master') return false;
  if (ri.roleReported === 'slave' && now - ri.roleReportedTime > ri.downAfterMs + infoPeriod * 2) return true;
  return ri.rebooted === true && now - (ri.rebootSinceTime ?? 0) > (ri.masterRebootDownAfterPeriod ?? 0);
}

/**
 * A command connection older than min-link-reconnect-period whose PING has been unanswered for
 * half of down-after is closed, so that a fresh one can be opened.
 */
export function commandLinkStale(link: LinkFacts, downAfterMs: number, minReconnectPeriod: number, now: number): boolean {
  return (
    link.cc !== null &&
    now - link.ccConnTime > minReconnectPeriod &&
    link.actPingTime !== 0 &&
    now - link.actPingTime > downAfterMs / 2 &&
    now - link.lastPongTime > downAfterMs / 2
  );
}

/** A pub/sub connection that saw nothing for three hello periods is likely stuck: reconnect it. */
export function pubsubLinkStale(link: LinkFacts, publishPeriod: number, minReconnectPeriod: number, now: number): boolean {
  return link.pc !== null && now - link.pcConnTime > minReconnectPeriod && now - link.pcLastActivity > publishPeriod * 3;
}

/** PING reply classes: PONG, LOADING and MASTERDOWN are acceptable; BUSY may call for SCRIPT KILL. */
export type PingReplyClass = 'ok' | 'busy' | 'other';

export function classifyPingReply(text: string): PingReplyClass {
  if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) return 'ok';
  return text.startsWith('BUSY') ? 'busy' : 'other';
}

/**
 * A connection not open this long after it was started is given up and started again: its SYNs
 * are being dropped (a partition), and TCP's own retries come 1, 3, 7, 15 s apart, so a healed
 * network would otherwise be noticed seconds late. (Redis waits for min-link-reconnect-period.)
 */
export const CONNECT_TIMEOUT_MS = 1000;

export function connectTimedOut(established: boolean, connTime: number, now: number): boolean {
  return !established && now - connTime > CONNECT_TIMEOUT_MS;
}
