/**
 * Which periodic commands go to an instance in this timer run (redis:
 * sentinelSendPeriodicCommands): a PING every ping period (once the last answer is that old, and
 * not twice within half a period), INFO every info period (at once when never read), our hello
 * every publish period.
 *
 * Ours differs in one way: INFO and the hello travel with a PING when they are nearly due. The
 * core sends them in the same timer run, so the shell writes them to the connection at once and
 * their replies come back together: one write and one read instead of up to three. With
 * thousands of links that is most of a sentinel's steady work (a write on a loopback connection
 * costs some 15 us; the bytes in it, nothing). "Nearly" is half a ping period:
 *   - the PING keeps redis's timing exactly (it times SDOWN);
 *   - INFO goes with a PING up to half a ping period early, else when due, as in redis;
 *   - the hello goes with a PING once it is within half a ping period of due, and alone only
 *     half a ping period after due: with 1 s PINGs it rides every other PING (about every 2 s,
 *     as in redis), at worst 0.5 s later than redis's when no PING goes (a peer only drops a
 *     pub/sub link after 3 publish periods of silence; agreement reads 2 periods).
 * Pure: facts and the time in, a set of flags out (no result object per instance per timer run).
 */
export const SEND_PING = 1;
export const SEND_INFO = 2;
export const SEND_HELLO = 4;

export interface PeriodicFacts {
  readonly now: number;
  readonly lastPingTime: number;
  readonly lastPongTime: number;
  readonly pingPeriod: number;
  /** When INFO was last read (0: never); the period is null for a sentinel (never sent INFO). */
  readonly infoRefresh: number;
  readonly infoPeriod: number | null;
  readonly lastPubTime: number;
  readonly publishPeriod: number;
  /** False while the server is paused by us (a hand-over, a fence): no hello then. */
  readonly helloAllowed: boolean;
}

/** The commands due now, as SEND_* flags. */
export function periodicDue(f: PeriodicFacts): number {
  const slack = f.pingPeriod / 2;
  const ping = f.now - f.lastPingTime > slack && f.now - f.lastPongTime > f.pingPeriod;
  let due = ping ? SEND_PING : 0;
  if (f.infoPeriod !== null) {
    // INFO read more often than a PING goes (a failover's 50-100 ms) is not brought forward.
    const early = ping && f.infoPeriod >= f.pingPeriod ? slack : 0;
    if (f.infoRefresh === 0 || f.now - f.infoRefresh > f.infoPeriod - early) due |= SEND_INFO;
  }
  if (f.helloAllowed) {
    const sincePub = f.now - f.lastPubTime;
    if (ping ? sincePub > f.publishPeriod - slack : sincePub > f.publishPeriod + slack) due |= SEND_HELLO;
  }
  return due;
}
