/**
 * The drill's data writer: an application client as the Redis Sentinel client spec describes
 * one. It resolves the master through the sentinels, connects, checks ROLE says master, and
 * writes at a fixed rate; on any error it drops the connection, waits ~20 ms and resolves
 * again. Nothing is retried: each write is independent and counted once, as acknowledged or
 * failed with a reason, so the counts say exactly what an application would have seen.
 *
 * Writes are issued on a schedule whether or not earlier ones returned (pipelined on one
 * connection), because a real service does not stop receiving requests while the database is
 * switching: a pause shows as a gap between acknowledgements, not as fewer attempts. A write due
 * while there is no connection fails at once (`not_connected`), like a client without an
 * offline queue; one in flight on a connection that ends is failed, since its outcome is
 * unknown and nobody acknowledged it.
 */
import { ConnectionError, RespReplyError } from '../util/errors.js';
import type { Endpoint } from './drill-args.js';
import { addrText } from './drill-sentinels.js';
import type { RespClient } from './resp-client.js';

export interface WriterOptions {
  writesPerSecond: number;
  wait: { replicas: number; timeoutMs: number } | null;
  /** Keys are `<prefix>:<seq>`, seq from 1. */
  prefix: string;
  /** The master as the sentinels name it now (null: none answered). */
  resolve: () => Promise<Endpoint | null>;
  /** A connection to a server, authenticated. */
  connect: (e: Endpoint) => Promise<RespClient>;
  now: () => number;
}

/** How long the writer waits after an error before resolving the master again. */
const RECONNECT_DELAY_MS = 20;
/** Key lifetime: a drill that dies before its clean-up leaves nothing behind for long. */
const KEY_TTL_MS = 3600000;
/** Connection changes kept for the report (a flapping setup would make this unbounded). */
const MAX_CONNECTIONS_KEPT = 100;

/** A connection the writer made: which master, and when (writer clock). */
export interface WriterConnection {
  master: string;
  at: number;
}

/** Error replies saying the server will not serve us (no or wrong credentials, no permission). */
const ACCESS_ERRORS = new Set(['NOAUTH', 'WRONGPASS', 'NOPERM']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The failure reason of an error, as counted in the report (see FAILURE_REASONS). */
export function failureReason(err: unknown): string {
  if (err instanceof RespReplyError) return err.prefix || 'ERR';
  if (err instanceof ConnectionError) {
    if (err.code === 'CONNECTION_CLOSED') return 'dropped';
    if (err.code === 'COMMAND_TIMEOUT') return 'timeout';
    return 'connection_lost';
  }
  return 'connection_lost';
}

export class Writer {
  attempted = 0;
  readonly ackTimes: number[] = [];
  /** Sequence numbers of the acknowledged writes. */
  readonly acked: number[] = [];
  readonly failures: Record<string, number> = {};
  readonly connections: WriterConnection[] = [];
  /** The last error the writer met (an error reply, a refused connection, a non-master ROLE). */
  lastError: string | null = null;

  private conn: RespClient | null = null;
  private connecting = false;
  /** The last connection attempt failed because the server refused our AUTH. */
  private refused = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private scheduleStart = 0;
  /** Writes issued and not yet counted; each is counted exactly once (delete() tells who wins). */
  private readonly inFlight = new Set<number>();

  constructor(private readonly opts: WriterOptions) {}

  key(seq: number): string {
    return `${this.opts.prefix}:${seq}`;
  }

  /**
   * Connects, then starts the schedule. Rejects (and stops) when no master could be reached
   * within `timeoutMs`: a drill must not fail anything over when it cannot even write.
   */
  async start(timeoutMs: number): Promise<void> {
    const deadline = this.opts.now() + timeoutMs;
    this.connecting = true;
    await this.connectLoop(deadline, true);
    if (!this.conn) {
      this.stopped = true;
      throw new Error(`could not start writing to the master within ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`);
    }
    this.scheduleStart = this.opts.now();
    const rate = this.opts.writesPerSecond;
    // Due writes are counted from elapsed time, so timer jitter does not change the rate.
    this.timer = setInterval(() => {
      const due = Math.floor(((this.opts.now() - this.scheduleStart) * rate) / 1000);
      while (this.attempted < due && !this.stopped) this.issue();
    }, Math.max(1, Math.floor(1000 / rate)));
  }

  /** Issues no more writes (those in flight still complete). */
  stopIssuing(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Waits (at most `maxMs`) for writes in flight; the rest are counted `unsettled`. Then disconnects. */
  async settle(maxMs: number): Promise<void> {
    this.stopIssuing();
    const deadline = this.opts.now() + maxMs;
    while (this.inFlight.size > 0 && this.opts.now() < deadline) await sleep(10);
    for (const seq of [...this.inFlight]) this.count(seq, 'unsettled');
    this.conn?.close();
    this.conn = null;
  }

  private issue(): void {
    const seq = ++this.attempted;
    const conn = this.conn;
    if (!conn) {
      this.fail('not_connected');
      return;
    }
    this.inFlight.add(seq);
    const set = conn.call('SET', this.key(seq), String(seq), 'PX', String(KEY_TTL_MS));
    const wait = this.opts.wait ? conn.call('WAIT', this.opts.wait.replicas, this.opts.wait.timeoutMs) : null;
    // WAIT's own failure is seen through `set`'s chain below (or is moot when SET failed).
    wait?.catch(() => {});
    set
      .then(async () => {
        if (wait && this.opts.wait) {
          const reached = await wait;
          if (typeof reached !== 'number' || reached < this.opts.wait.replicas) {
            this.count(seq, 'wait_short');
            return;
          }
        }
        this.count(seq, null);
      })
      .catch((err: unknown) => {
        this.count(seq, failureReason(err));
        // Only a server's refusal is news; a closed connection already said why it closed.
        if (err instanceof RespReplyError) this.lastError = err.message;
        this.drop(conn);
      });
  }

  /** Counts a write once: acknowledged (reason null) or failed. */
  private count(seq: number, reason: string | null): void {
    if (!this.inFlight.delete(seq)) return;
    if (reason === null) {
      this.ackTimes.push(this.opts.now());
      this.acked.push(seq);
    } else {
      this.fail(reason);
    }
  }

  private fail(reason: string): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }

  /** Any error: this connection is done with; resolve the master again after a short pause. */
  private drop(conn: RespClient): void {
    if (this.conn !== conn) return;
    this.conn = null;
    conn.close();
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    void sleep(RECONNECT_DELAY_MS).then(() => this.connectLoop(Infinity, false));
  }

  /**
   * Resolve, connect, check ROLE; again every ~20 ms until it works, the deadline passes, or
   * writing stops. `refusalIsFinal`: before the drill, a server refusing our credentials will
   * not change its mind, so the first refusal ends the attempt (during the drill it is counted
   * and retried like any other error).
   */
  private async connectLoop(deadline: number, refusalIsFinal: boolean): Promise<void> {
    try {
      while (!this.stopped && this.opts.now() < deadline) {
        const c = await this.tryConnect();
        if (!c && refusalIsFinal && this.refused) return;
        if (c) {
          if (this.stopped) {
            c.close();
            return;
          }
          this.conn = c;
          if (this.connections.length < MAX_CONNECTIONS_KEPT) this.connections.push({ master: c.address, at: this.opts.now() });
          c.onClose((e) => {
            if (e.code !== 'CONNECTION_CLOSED') this.lastError = e.message;
            this.drop(c);
          });
          return;
        }
        await sleep(RECONNECT_DELAY_MS);
      }
    } finally {
      this.connecting = false;
    }
  }

  private async tryConnect(): Promise<RespClient | null> {
    let c: RespClient | null = null;
    try {
      const master = await this.opts.resolve();
      if (!master) {
        this.lastError = 'no sentinel named a master';
        return null;
      }
      c = await this.opts.connect(master);
      // The client spec's check: a sentinel may still name a server that is no longer master.
      const role = await c.call('ROLE');
      if (Array.isArray(role) && role[0] === 'master') return c;
      this.lastError = `${addrText(master)} is not a master (ROLE: ${Array.isArray(role) ? String(role[0]) : String(role)})`;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      // An error reply from connect() is AUTH's; ROLE's counts when it is about who we are.
      this.refused = err instanceof RespReplyError && (c === null || ACCESS_ERRORS.has(err.prefix));
    }
    c?.close();
    return null;
  }
}
