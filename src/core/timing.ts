/**
 * The sentinel's timing parameters (SENTINEL DEBUG can change every one at run time).
 * Names follow the DEBUG parameter names; values are milliseconds.
 */
export interface Timing {
  infoPeriod: number;
  pingPeriod: number;
  askPeriod: number;
  publishPeriod: number;
  defaultDownAfter: number;
  defaultFailoverTimeout: number;
  tiltTrigger: number;
  tiltPeriod: number;
  slaveReconfTimeout: number;
  minLinkReconnectPeriod: number;
  electionTimeout: number;
  scriptMaxRuntime: number;
  scriptRetryDelay: number;
}

export const DEFAULT_TIMING: Readonly<Timing> = Object.freeze({
  infoPeriod: 10000,
  pingPeriod: 1000,
  askPeriod: 1000,
  publishPeriod: 2000,
  defaultDownAfter: 30000,
  defaultFailoverTimeout: 180000,
  tiltTrigger: 2000,
  tiltPeriod: 30000,
  slaveReconfTimeout: 10000,
  minLinkReconnectPeriod: 15000,
  electionTimeout: 10000,
  scriptMaxRuntime: 60000,
  scriptRetryDelay: 30000,
});

/** DEBUG parameter name (as typed by users, lower case) -> Timing key, in redis's reply order. */
export const DEBUG_PARAMS: readonly (readonly [string, keyof Timing])[] = [
  ['info-period', 'infoPeriod'],
  ['ping-period', 'pingPeriod'],
  ['ask-period', 'askPeriod'],
  ['publish-period', 'publishPeriod'],
  ['default-down-after', 'defaultDownAfter'],
  ['default-failover-timeout', 'defaultFailoverTimeout'],
  ['tilt-trigger', 'tiltTrigger'],
  ['tilt-period', 'tiltPeriod'],
  ['slave-reconf-timeout', 'slaveReconfTimeout'],
  ['min-link-reconnect-period', 'minLinkReconnectPeriod'],
  ['election-timeout', 'electionTimeout'],
  ['script-max-runtime', 'scriptMaxRuntime'],
  ['script-retry-delay', 'scriptRetryDelay'],
];

/** Commands with more unanswered commands than this (times the link refcount) get no periodic traffic. */
export const MAX_PENDING_COMMANDS = 100;
/**
 * Links opened per timer run at most (redis opens them all in one run). With thousands of
 * masters, opening every connection in one run kept the timer from running for over 2 s, and
 * the sentinel entered TILT as it started (5,000 masters, bench:scale); the rest wait for the
 * next runs, a few tens of ms apart.
 */
export const MAX_LINK_CONNECTS_PER_TICK = 500;
export const DEFAULT_SLAVE_PRIORITY = 100;
export const HELLO_CHANNEL = '__sentinel__:hello';
