/**
 * The core's state and the context its modules share. Only modules under src/core write it;
 * everything outside reads it through snapshots (snapshot.ts) and changes it through the named
 * operations of SentinelCore.
 */
import type { SentinelGlobals } from '../config/model.js';
import type { Effects } from './effects.js';
import type { MasterInstance } from './instance.js';
import type { RuleSet } from './rules/index.js';
import type { Timing } from './timing.js';
import { DEFAULT_TIMING } from './timing.js';

/** SENTINEL SIMULATE-FAILURE flags. */
export const SIMFAILURE_CRASH_AFTER_ELECTION = 1;
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 2;

export class CoreState {
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
  /** Our listening port, announced in hellos unless announce-port is set. */
  port: number;
  /** Our requirepass: the password used towards peers when sentinel-pass is unset. */
  requirepass: string;

  tilt = false;
  tiltStartTime = 0;
  totalTilt = 0;
  /** Why TILT was last entered (rules/tilt.ts tiltCause). */
  tiltCause: 'clock-backwards' | 'timer-stall' | null = null;
  previousTickTime: number;
  /** Links this timer run may still open (MAX_LINK_CONNECTS_PER_TICK, reset by each run). */
  connectBudget = Infinity;
  simFailureFlags = 0;
  /** A config write owed from a vote (only a planted simulator bug leaves one for the next tick). */
  deferredPersist = false;

  constructor(g: SentinelGlobals, myid: string, port: number, requirepass: string, now: number) {
    this.myid = myid;
    this.currentEpoch = g.currentEpoch;
    this.announceIp = g.announceIp ?? '';
    this.announcePort = g.announcePort;
    this.denyScriptsReconfig = g.denyScriptsReconfig;
    this.resolveHostnames = g.resolveHostnames;
    this.announceHostnames = g.announceHostnames;
    this.sentinelUser = g.sentinelUser ?? '';
    this.sentinelPass = g.sentinelPass ?? '';
    this.port = port;
    this.requirepass = requirepass;
    this.previousTickTime = now;
  }
}

/** What every core module is handed: the state, the effect queue, the rules, randomness. */
export interface CoreContext {
  readonly s: CoreState;
  readonly fx: Effects;
  readonly rules: RuleSet;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}
