/**
 * `sentinel-ts drill`: a real switchover under write load, measured from the client's side, to
 * answer "what happens to my clients when we fail over?" before it happens in an incident.
 *
 * The steps, in order: learn the master and every sentinel following it (and refuse to start if
 * they disagree already, since agreement is what is measured); start a sentinel-aware writer and
 * make sure it is acknowledged; ask the first sentinel to fail over; poll every sentinel until
 * all name the same new master; keep writing for a while; verify on the new master that every
 * acknowledged write is there; delete the drill's keys; report. Any step that fails stops the
 * drill there and reports what is known (exit 1): a drill must never leave more changed than the
 * failover it was asked to run.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { ConnectionError, DrillArgsError, RespReplyError } from '../util/errors.js';
import { USAGE, USAGE_HINT, parseDrillArgs } from './drill-args.js';
import type { DrillOptions, Endpoint } from './drill-args.js';
import { exitCodeOf, formatHuman, formatJson, summarize } from './drill-report.js';
import type { DrillFacts } from './drill-report.js';
import { SentinelSet, addrText } from './drill-sentinels.js';
import type { MasterView } from './drill-sentinels.js';
import { Writer } from './drill-writer.js';
import { RespClient } from './resp-client.js';
import type { TlsSettings } from './resp-client.js';

/** How long the writer may take to make its first connection before the drill gives up. */
const WRITER_START_MS = 5000;
/** How long past --before the drill waits for a first acknowledgement before giving up. */
const FIRST_ACK_GRACE_MS = 2000;
/** The failover request's own reply timeout (sentinel-ts flushes its config before replying). */
const FAILOVER_REPLY_MS = 10000;
/** How long in-flight writes may take to settle once writing stops. */
const SETTLE_MS = 5000;
/** Agreement is polled this often (the resolution of agreed_ms). */
const POLL_MS = 50;
/** Keys per MGET / UNLINK when verifying and cleaning up. */
const BATCH = 500;

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function runDrill(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseDrillArgs(argv, process.env);
  } catch (e) {
    if (!(e instanceof DrillArgsError)) throw e;
    process.stderr.write(`sentinel-ts drill: ${e.message}\n${USAGE_HINT}\n`);
    return 1;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const w of parsed.warnings) process.stderr.write(w + '\n');
  let tls: TlsSettings | undefined;
  try {
    tls = loadTls(parsed.options);
  } catch (e) {
    process.stderr.write(`sentinel-ts drill: ${message(e)}\n`);
    return 1;
  }
  return new Drill(parsed.options, tls).run();
}

/** Reads the TLS files once, up front: a typo in a path is reported before anything starts. */
function loadTls(o: DrillOptions): TlsSettings | undefined {
  if (!o.tls) return undefined;
  const read = (file: string | undefined, option: string): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`cannot read the ${option} file '${file}': ${message(e)}`);
    }
  };
  const t: TlsSettings = { insecure: o.tls.insecure };
  const ca = read(o.tls.cacert, '--cacert');
  const cert = read(o.tls.cert, '--cert');
  const key = read(o.tls.key, '--key');
  if (ca) t.ca = ca;
  if (cert) t.cert = cert;
  if (key) t.key = key;
  if (o.tls.sni !== undefined) t.servername = o.tls.sni;
  return t;
}

class Drill {
  private readonly startedAt = now();
  private readonly sentinels: SentinelSet;
  private writer: Writer | null = null;
  private oldMaster: Endpoint | null = null;
  private newMaster: Endpoint | null = null;
  private triggeredAt: number | null = null;
  private agreedAt: number | null = null;

  constructor(
    private readonly o: DrillOptions,
    private readonly tls: TlsSettings | undefined,
  ) {
    this.sentinels = new SentinelSet(o.sentinels, o.sentinelAuth, tls);
  }

  async run(): Promise<number> {
    try {
      return await this.steps();
    } finally {
      this.sentinels.close();
    }
  }

  private async steps(): Promise<number> {
    const { o } = this;
    const first = o.sentinels[0]!;
    try {
      this.oldMaster = await this.sentinels.masterAddr(first, o.master);
    } catch (e) {
      return this.finish(`could not ask sentinel ${addrText(first)} for the master: ${message(e)}`, null);
    }
    if (!this.oldMaster) return this.finish(`sentinel ${addrText(first)} knows no master named '${o.master}'`, null);
    const old = this.oldMaster;

    for (const e of o.sentinels) {
      try {
        for (const p of await this.sentinels.peers(e, o.master)) this.sentinels.add(p);
      } catch {
        // checked just below: every sentinel followed must answer
      }
    }
    const disagreement = describeViews(this.sentinels.endpoints, await this.sentinels.views(o.master), old);
    if (disagreement) return this.finish(`not starting: ${disagreement}`, null);

    const writer = new Writer({
      writesPerSecond: o.writesPerSecond,
      wait: o.wait,
      prefix: `sentinel-ts:drill:${randomBytes(4).toString('hex')}`,
      resolve: () => this.sentinels.resolveMaster(o.master),
      connect: (e) => this.connectServer(e),
      now,
    });
    this.writer = writer;
    try {
      await writer.start(WRITER_START_MS);
    } catch (e) {
      return this.finish(`not starting: ${message(e)}`, null);
    }
    await sleep(o.beforeMs);
    // With a short --before the first reply may still be on its way: give it a moment.
    const firstAckBy = now() + FIRST_ACK_GRACE_MS;
    while (writer.ackTimes.length === 0 && now() < firstAckBy) await sleep(10);
    if (writer.ackTimes.length === 0) {
      return this.finish(`not failing over: no write was acknowledged within ${o.beforeMs + FIRST_ACK_GRACE_MS} ms${writer.lastError ? ` (${writer.lastError})` : ''}`, old);
    }

    const command = ['SENTINEL', 'FAILOVER', o.master, ...(o.mode === 'coordinated' ? ['COORDINATED'] : []), ...(o.to ? ['TO', o.to.host, String(o.to.port)] : [])];
    this.triggeredAt = now();
    try {
      await this.sentinels.callOnce(first, FAILOVER_REPLY_MS, ...command);
    } catch (e) {
      const sent = !(e instanceof ConnectionError && (e.code === 'CONNECT_FAILED' || e.code === 'CONNECT_TIMEOUT'));
      if (!(e instanceof RespReplyError) && sent) {
        // Sent but unanswered: the failover may be under way, so say so rather than "refused".
        return this.finish(`no reply from sentinel ${addrText(first)} to ${command.join(' ')} (${message(e)}): the failover may or may not happen`, old);
      }
      this.triggeredAt = null;
      if (!sent) return this.finish(`could not send ${command.join(' ')} to sentinel ${addrText(first)}: ${message(e)}`, old);
      return this.finish(`sentinel ${addrText(first)} refused ${command.join(' ')}: ${message(e)}${refusalHint(e, o)}`, old);
    }

    const followed = await this.follow(old, this.triggeredAt + o.timeoutMs);
    if (typeof followed === 'string') {
      // Clean up where the writer was last sent: the sentinels' current pick, else the old master.
      return this.finish(followed, (await this.sentinels.resolveMaster(o.master).catch(() => null)) ?? old);
    }
    this.newMaster = followed;
    await sleep(o.afterMs);
    return this.finish(null, followed);
  }

  /** Polls every sentinel until all name one address other than `old`; the error text otherwise. */
  private async follow(old: Endpoint, deadline: number): Promise<Endpoint | string> {
    for (;;) {
      const round = now();
      const views = await this.sentinels.views(this.o.master);
      const v0 = views[0];
      if (isEndpoint(v0) && addrText(v0) !== addrText(old) && views.every((v) => sameAddr(v, v0))) {
        this.agreedAt = now();
        return v0;
      }
      if (now() >= deadline) return `the sentinels did not agree on a new master within ${this.o.timeoutMs} ms: ${viewList(this.sentinels.endpoints, views)}`;
      await sleep(Math.max(0, POLL_MS - (now() - round)));
    }
  }

  private connectServer(e: Endpoint): Promise<RespClient> {
    return RespClient.connect({
      host: e.host,
      port: e.port,
      connectTimeoutMs: 2000,
      // Like an application's socket timeout; WAIT may hold each write up to its own timeout.
      commandTimeoutMs: 5000 + (this.o.wait?.timeoutMs ?? 0),
      ...this.o.serverAuth,
      ...(this.tls ? { tls: this.tls } : {}),
    });
  }

  /**
   * Stops the writer, verifies (when the switchover was agreed), deletes the drill's keys on
   * `server` (unless --keep-keys), prints the report and returns the exit status.
   */
  private async finish(error: string | null, server: Endpoint | null): Promise<number> {
    const w = this.writer;
    if (w) await w.settle(SETTLE_MS);
    let lostAcked: number | null = null;
    let keysDeleted: number | null = null;
    if (server && w && w.attempted > 0) {
      let conn: RespClient | null = null;
      try {
        conn = await this.connectServer(server);
        if (error === null) lostAcked = await countMissing(conn, w.acked.map((seq) => w.key(seq)));
      } catch (e) {
        error ??= `could not verify the acknowledged writes on ${addrText(server)}: ${message(e)}`;
      }
      if (!this.o.keepKeys && conn && !conn.closed) {
        try {
          keysDeleted = await unlinkAll(conn, w.attempted, (seq) => w.key(seq));
        } catch (e) {
          process.stderr.write(`sentinel-ts drill: could not delete the drill's keys on ${addrText(server)} (they expire within an hour): ${message(e)}\n`);
        }
      }
      conn?.close();
    }
    const facts: DrillFacts = {
      master: this.o.master,
      mode: this.o.mode,
      writesPerSecond: this.o.writesPerSecond,
      wait: this.o.wait,
      oldMaster: this.oldMaster ? addrText(this.oldMaster) : null,
      newMaster: this.newMaster ? addrText(this.newMaster) : null,
      sentinels: this.sentinels.endpoints.length,
      triggeredAt: this.triggeredAt,
      agreedAt: this.agreedAt,
      connections: w?.connections ?? [],
      ackTimes: w?.ackTimes ?? [],
      attempted: w?.attempted ?? 0,
      failures: w?.failures ?? {},
      lostAcked,
      keysDeleted,
      durationMs: now() - this.startedAt,
      error,
    };
    const summary = summarize(facts);
    if (this.o.json) {
      process.stdout.write(formatJson(summary));
      // The JSON carries the error too; stderr says it for whoever reads the terminal.
      if (error !== null) process.stderr.write(`sentinel-ts drill: ${error}\n`);
    } else {
      process.stdout.write(formatHuman(summary));
    }
    return exitCodeOf(summary);
  }
}

/**
 * What to try instead when a sentinel refuses the options: redis-sentinel 7.0 answers options to
 * FAILOVER with its arity error ("wrong number of arguments for 'sentinel|failover'"); a
 * sentinel-ts without an option answers "Unknown failover option specified".
 */
function refusalHint(e: unknown, o: DrillOptions): string {
  if (!(e instanceof RespReplyError) || !/unknown failover option|wrong number of arguments/i.test(e.message)) return '';
  if (o.mode === 'coordinated') return ' (this sentinel has no COORDINATED failover, e.g. redis-sentinel: try --mode plain)';
  return o.to ? ' (this sentinel takes no TO in FAILOVER, e.g. redis-sentinel: drop --to)' : '';
}

function isEndpoint(v: MasterView | undefined): v is Endpoint {
  return v !== undefined && v !== null && !(v instanceof Error);
}

function sameAddr(a: MasterView | undefined, b: Endpoint): boolean {
  return isEndpoint(a) && addrText(a) === addrText(b);
}

/** "s1 names a, s2 did not answer (...)" for an error message. */
function viewList(endpoints: readonly Endpoint[], views: readonly MasterView[]): string {
  return views
    .map((v, i) => {
      const who = `sentinel ${addrText(endpoints[i]!)}`;
      if (v instanceof Error) return `${who} could not be asked (${v.message})`;
      return v === null ? `${who} knows no such master` : `${who} names ${addrText(v)}`;
    })
    .join(', ');
}

/** Null when every sentinel answers `expected`; else what is wrong, for the error message. */
function describeViews(endpoints: readonly Endpoint[], views: readonly MasterView[], expected: Endpoint): string | null {
  if (views.every((v) => sameAddr(v, expected))) return null;
  // Agreement of every sentinel is what the drill waits for: one it cannot ask would time it out.
  if (views.some((v) => v instanceof Error)) return `not every sentinel followed (given, and the peers they list) can be asked: ${viewList(endpoints, views)}`;
  return `the sentinels disagree before the drill (${viewList(endpoints, views)}); a drill measures their agreement, so it needs them in agreement first`;
}

/** How many of `keys` are absent on the server (MGET in batches: one round trip per batch). */
async function countMissing(conn: RespClient, keys: readonly string[]): Promise<number> {
  let missing = 0;
  for (let i = 0; i < keys.length; i += BATCH) {
    const batch = keys.slice(i, i + BATCH);
    const values = await conn.call('MGET', ...batch);
    if (!Array.isArray(values) || values.length !== batch.length) throw new Error(`unexpected MGET reply of ${Array.isArray(values) ? values.length : typeof values} values`);
    for (const v of values) if (v === null) missing++;
  }
  return missing;
}

/** UNLINKs keys 1..count (failed writes too: their outcome was unknown); returns how many existed. */
async function unlinkAll(conn: RespClient, count: number, key: (seq: number) => string): Promise<number> {
  let deleted = 0;
  for (let from = 1; from <= count; from += BATCH) {
    const keys: string[] = [];
    for (let seq = from; seq < from + BATCH && seq <= count; seq++) keys.push(key(seq));
    const n = await conn.call('UNLINK', ...keys);
    if (typeof n === 'number') deleted += n;
  }
  return deleted;
}
