/**
 * The imperative shell around the core: owns the clock, the timer, the sockets (server and
 * outbound links), the config file and the log, and carries out the core's actions in order.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { SentinelConfig } from '../config/model.js';
import { rewriteConfigFile } from '../config/rewrite.js';
import { removeStaleTemps } from '../util/atomic-write.js';
import { clientTlsOptions } from '../server/tls-options.js';
import type { Action } from '../core/actions.js';
import { SentinelCore } from '../core/sentinel.js';
import { LinkManager } from '../links/link-manager.js';
import type { Reply } from '../protocol/reply.js';
import { array } from '../protocol/reply.js';
import { RespServer } from '../server/server.js';
import type { HttpFace } from '../http/server.js';
import { packageVersion } from '../util/version.js';
import type { ClientContext, SentinelHooks } from '../server/hooks.js';
import { sentinelCommand } from '../commands/sentinel.js';
import type { SentinelCommandEnv } from '../commands/sentinel.js';
import type { Logger, LogLevelSetting } from '../util/logger.js';
import { ScriptRunner } from './script-runner.js';
import { QueryCache } from './query-cache.js';
import { encodeReply } from '../protocol/encode.js';
import type { Spawner } from './script-runner.js';
import { bulk } from '../protocol/reply.js';

export const REPORTED_VERSION = '7.2.4';

/** The read-only SENTINEL subcommands whose answers QueryCache keeps (aliases included). */
const CACHED_QUERIES = new Set(['get-master-addr-by-name', 'get-primary-addr-by-name', 'masters', 'primaries', 'master', 'primary', 'replicas', 'slaves', 'sentinels']);
/** Those whose answers show no time: kept across milliseconds, until the state changes. */
const UNTIMED_QUERIES = new Set(['get-master-addr-by-name', 'get-primary-addr-by-name']);

export interface NodeOptions {
  config: SentinelConfig;
  logger: Logger;
  executable: string;
  /** Injected for tests; defaults to the wall clock redis uses (TILT must see clock jumps). */
  clock?: () => number;
  random?: () => number;
}

export class SentinelNode {
  readonly config: SentinelConfig;
  readonly logger: Logger;
  private readonly clock: () => number;
  private readonly random: () => number;
  private core!: SentinelCore;
  private readonly links: LinkManager;
  readonly server: RespServer;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private persistFailed = false;
  readonly runId = randomBytes(20).toString('hex');
  private onExit: (code: number) => void = (code) => process.exit(code);
  private readonly scripts: ScriptRunner;
  /**
   * Encoded answers of the read-only SENTINEL queries, and INFO's sentinel section (see
   * QueryCache): those that show times (ages in ms) are kept within one millisecond; the
   * address queries until the state changes.
   */
  private readonly queries = new QueryCache<Reply>(true);
  private readonly untimedQueries = new QueryCache<Reply>(false);
  /** INFO's sentinel section shows a time only in TILT (the seconds since it began). */
  private readonly infoCache = new QueryCache<string>(true);
  private readonly untimedInfo = new QueryCache<string>(false);
  /** The HTTP side (http-port), when configured. */
  http: HttpFace | null = null;

  constructor(opts: NodeOptions) {
    this.config = opts.config;
    this.logger = opts.logger;
    this.clock = opts.clock ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.links = new LinkManager(
      {
        connected: (conn, local, remote) => this.input(() => this.core.connected(conn, local, remote, this.clock())),
        closed: (conn, reason) => this.input(() => this.core.closed(conn, reason, this.clock())),
        reply: (conn, tag, value) => this.input(() => this.core.reply(conn, tag, value, this.clock())),
        message: (conn, channel, payload) => this.input(() => this.core.message(conn, channel, payload, this.clock())),
      },
      this.config.server.tls?.replication ? { tls: clientTlsOptions(this.config.server.tls) } : {},
    );
    // The script counts show in INFO: a script ending (outside any input of the core) makes the
    // kept answers stale too.
    const spawner: Spawner = (path, args, onExit) =>
      spawnScript(path, args, (code, signal) => {
        this.answersStale();
        onExit(code, signal);
      });
    this.scripts = new ScriptRunner(spawner, {
      now: () => this.clock(),
      retryDelay: () => this.core.timing.scriptRetryDelay,
      maxRuntime: () => this.core.timing.scriptMaxRuntime,
      event: (channel, message) => {
        this.logger.log('warning', `${channel} ${message}`);
        this.server.publish(channel, message);
      },
      log: (message) => this.logger.log('warning', message),
    });
    const hooks: SentinelHooks = {
      sentinelCommand: (sub, args, ctx) => this.sentinelCommand(sub, args, ctx),
      keptAnswersVersion: (timed) => this.keptVersion(timed, this.clock()),
      infoSentinelSection: () => {
        const now = this.clock();
        return (this.core.tilt ? this.infoCache : this.untimedInfo).get(0, 'sentinel', '', now, () =>
          this.core.infoSection(now, { running: this.scripts.running, queued: this.scripts.queued }),
        );
      },
      infoSentinelTimed: () => this.core.tilt,
      masterNames: () => this.core.masterNames(),
      helloReceived: (payload) => this.input(() => this.core.helloFromPeer(payload, this.clock())),
      shutdown: () => void this.stop(0),
    };
    const s = this.config.server;
    this.server = new RespServer({
      options: s,
      hooks,
      log: (level, msg) => this.logger.log(level, msg),
      version: REPORTED_VERSION,
      runId: this.runId,
      configFile: this.config.path,
      executable: opts.executable,
    });
  }

  setExitHandler(f: (code: number) => void): void {
    this.onExit = f;
  }

  /** Listens, then builds the core from the config (which may write the file: new myid). */
  async start(): Promise<void> {
    // Loaded only when configured (the HTTP side and prom-client cost a sentinel ~13 MB of RSS),
    // and before the RESP port opens: whoever sees that port answer may use the HTTP one at once.
    const httpModule = this.config.server.http.port !== 0 ? await import('../http/server.js') : null;
    await this.server.listen();
    removeStaleTemps(this.config.path);
    this.core = new SentinelCore({
      globals: this.config.sentinel,
      masters: this.config.masters,
      // With tls-replication the peers must reach us over TLS: hellos announce the TLS port.
      port: this.config.server.tls?.replication && this.server.tlsBoundPort ? this.server.tlsBoundPort : this.server.port,
      ...(this.config.server.requirepass ? { requirepass: this.config.server.requirepass } : {}),
      now: this.clock(),
      random: this.random,
    });
    // The HTTP side first: it records the events of the start-up (+monitor) in its history.
    if (httpModule) {
      const s = this.config.server;
      this.http = new httpModule.HttpFace({
        http: s.http,
        bind: s.bind,
        tls: s.tls,
        view: { core: this.core, now: () => this.clock(), scripts: () => ({ running: this.scripts.running, queued: this.scripts.queued }), version: packageVersion(), redisVersion: REPORTED_VERSION, apply: (f) => this.input(f) },
        users: () => this.server.acl,
        log: (level, msg) => this.logger.log(level, msg),
      });
      try {
        await this.http.listen();
      } catch (err) {
        await this.server.close();
        throw err;
      }
    }
    this.flush();
    this.scheduleTick();
  }

  get sentinel(): SentinelCore {
    return this.core;
  }

  /** redis re-draws its timer frequency between 10 and 19 Hz on every run so peers drift apart. */
  private scheduleTick(): void {
    if (this.stopping) return;
    const hz = 10 + Math.floor(this.random() * 10);
    this.timer = setTimeout(() => {
      this.input(() => this.core.tick(this.clock()));
      this.scripts.tick();
      this.answersStale(); // scripts may have started
      this.scheduleTick();
    }, Math.round(1000 / hz));
  }

  /** The state may change: the kept answers (queries, INFO's sentinel section) are built again. */
  private answersStale(): void {
    this.queries.invalidate();
    this.untimedQueries.invalidate();
    this.infoCache.invalidate();
    this.untimedInfo.invalidate();
  }

  /** See SentinelHooks.keptAnswersVersion. */
  private keptVersion(timed: boolean, now: number): number {
    // The counters only grow: a sum moves whenever one of them does.
    return timed ? this.queries.version(now) + this.infoCache.version(now) : this.untimedQueries.version(now) + this.untimedInfo.version(now);
  }

  /** Runs one input of the core and carries out what it asked for. */
  private input(f: () => void): void {
    if (this.stopping) return;
    this.answersStale();
    f();
    this.flush();
  }

  /** Executes the queued actions; returns false when a config save failed. */
  flush(): boolean {
    let ok = true;
    for (;;) {
      const actions = this.core.takeActions();
      if (actions.length === 0) break;
      let persist = false;
      let exitCode: number | null = null;
      for (const a of actions) {
        if (a.type === 'persist') persist = true;
        else if (a.type === 'exit') exitCode = a.code;
        else this.execute(a);
      }
      // Several changes in one batch are saved with one rewrite, before any reply is written.
      if (persist && !this.saveConfig()) ok = false;
      if (exitCode !== null) {
        this.onExit(exitCode);
        return ok;
      }
    }
    return ok;
  }

  private execute(a: Exclude<Action, { type: 'persist' } | { type: 'exit' }>): void {
    switch (a.type) {
      case 'connect':
        this.links.connect(a.conn, a.host, a.port, a.purpose);
        break;
      case 'send':
        this.links.send(a.conn, a.argv, a.tag);
        break;
      case 'close':
        this.links.close(a.conn);
        break;
      case 'event':
        this.logger.log(a.level, `${a.channel} ${a.message}`);
        if (a.level !== 'debug') this.server.publish(a.channel, a.message);
        if (a.level !== 'debug') this.http?.onEvent(a.channel, a.message, a.masterName);
        break;
      case 'log':
        this.logger.log(a.level, a.message);
        break;
      case 'script':
        this.scripts.schedule(a.path, a.args);
        break;
    }
  }

  private currentConfig(): SentinelConfig {
    return {
      path: this.config.path,
      server: {
        ...this.config.server,
        loglevel: this.logLevelForConfig(),
        // ACL users as they are now (ACL SETUSER / DELUSER), so they survive a restart; with an
        // ACL file they live there (ACL SAVE), and the config file holds no user line.
        users: this.config.server.aclfile ? [] : this.server.acl.list().map((u) => [u.name, ...u.rulesText().split(' ')]),
      },
      sentinel: this.core.exportGlobals(),
      masters: this.core.exportMasters(),
    };
  }

  private logLevelForConfig(): SentinelConfig['server']['loglevel'] {
    return this.logger.level;
  }

  private saveConfig(): boolean {
    try {
      rewriteConfigFile(this.currentConfig());
      this.persistFailed = false;
      this.logger.log('verbose', 'Sentinel new configuration saved on disk');
      return true;
    } catch (err) {
      this.persistFailed = true;
      this.logger.log('warning', `WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(err as Error).message}`);
      return false;
    }
  }

  private commandEnv(): SentinelCommandEnv {
    return {
      core: this.core,
      now: () => this.clock(),
      flush: () => this.flush(),
      isExecutable: (p) => {
        try {
          fs.accessSync(p, fs.constants.X_OK);
          return fs.statSync(p).isFile();
        } catch {
          return false;
        }
      },
      getLogLevel: () => this.logger.level,
      setLogLevel: (l) => {
        this.logger.level = l as LogLevelSetting;
      },
      pendingScripts: (): Reply =>
        array(
          this.scripts.pending().map((fields) => ({
            t: 'map',
            v: fields.map(([k, v]) => [bulk(k), Array.isArray(v) ? array(v.map((x) => bulk(x))) : bulk(v)] as const),
          })),
        ),
    };
  }

  private sentinelCommand(sub: string, args: readonly string[], ctx: ClientContext): Reply {
    // Only answers about a known master are kept (their number is bounded by the masters').
    if (CACHED_QUERIES.has(sub) && (args.length === 0 || this.core.hasMaster(args[0]!))) {
      const now = this.clock();
      const timed = !UNTIMED_QUERIES.has(sub);
      ctx.answerKept(timed, this.keptVersion(timed, now));
      return (timed ? this.queries : this.untimedQueries).get(ctx.proto, sub, args[0] ?? '', now, () => {
        // Built with the time it is kept under.
        const reply = sentinelCommand({ ...this.commandEnv(), now: () => now }, sub, args, ctx);
        return reply.t === 'error' ? reply : { t: 'raw', v: encodeReply(reply, ctx.proto) };
      });
    }
    // Anything else may change what the queries show (SET, RESET, votes, CONFIG SET, ...).
    this.answersStale();
    // Admin commands may queue actions (links, events, persist); sentinelCommand flushes them.
    const reply = sentinelCommand(this.commandEnv(), sub, args, ctx);
    this.flush();
    return reply;
  }

  /** Stops the timer, the links and the listener; then calls the exit handler with `code`. */
  async stop(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.links.closeAll();
    this.scripts.killAll();
    await this.server.close();
    await this.http?.close();
    this.onExit(code);
  }

  get lastPersistFailed(): boolean {
    return this.persistFailed;
  }
}

/**
 * Scripts get the sentinel's environment and working directory and only fds 0-2 (Node opens
 * every other descriptor close-on-exec); they are executed directly, never through a shell.
 */
const spawnScript: Spawner = (path, args, onExit) => {
  const child = spawn(path, [...args], { stdio: 'inherit', shell: false });
  let done = false;
  const finish = (code: number | null, signal: string | null): void => {
    if (done) return;
    done = true;
    onExit(code, signal);
  };
  // A script that cannot be executed is an error that retrying will not fix.
  child.on('error', () => finish(2, null));
  child.on('exit', (code, signal) => finish(code, signal));
  return {
    pid: child.pid ?? 0,
    kill: () => {
      child.kill('SIGKILL');
    },
  };
};
