/**
 * The sentinel's RESP server: listeners, clients, request dispatch through the command table,
 * and the limits that keep one bad client from hurting the others; pub/sub of the sentinel's
 * events is in pubsub.ts. Sentinel-specific answers come from SentinelHooks.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ListenAddress } from './listen.js';
import { listenAddresses, listenOn } from './listen.js';
import { serverTlsOptions } from './tls-options.js';
import type { LogLevel } from '../util/logger.js';
import type { ServerOptions } from '../config/model.js';
import { encodeReplies, encodeReply } from '../protocol/encode.js';
import type { Reply } from '../protocol/reply.js';
import { OK, error } from '../protocol/reply.js';
import { SUBCOMMAND_ALIASES, arityOk, dispatchArity } from '../commands/table.js';
import { COMMANDS } from '../protocol/command-table.js';
import type { CommandSpec } from '../protocol/command-table.js';
import { runGenericCommand } from '../commands/generic.js';
import { unknownCommand } from '../commands/replies.js';
import type { ServerContext, ServerStats } from '../commands/context.js';
import { QUERY_BUFFER_LIMIT_MESSAGE } from '../protocol/request-parser.js';
import { Client } from './client.js';
import { PubSubRegistry } from './pubsub.js';
import { AclLog } from '../acl/log.js';
import type { AclDenialReason } from '../acl/log.js';
import { AclUsers } from '../acl/users.js';
import { parseAclFile } from '../acl/file.js';
import type { ClientContext, SentinelHooks } from './hooks.js';
import { Repeats } from './repeat.js';



export interface RespServerOptions {
  options: ServerOptions;
  hooks: SentinelHooks;
  log: (level: LogLevel, message: string) => void;
  /** redis_version reported by INFO and HELLO. */
  version: string;
  runId: string;
  configFile: string;
  executable: string;
  clock?: () => number;
}

/**
 * Replies a client may leave unread before we stop reading its requests (see processInput).
 * Above the socket's 16 KiB high-water mark, so the write that crosses it is sure to emit
 * 'drain' later.
 */
const OUTPUT_PAUSE_BYTES = 4 * 1024 * 1024;

/**
 * The error written to a client refused by protected mode, before closing it. The first two
 * sentences are redis's (tools look for them); the advice after them is ours, for a sentinel,
 * which has no CONFIG SET.
 */
const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. ' +
  'To accept other clients, do one of these: set a password for the default user (requirepass, or an ACL user line), ' +
  "or put 'protected-mode no' in the sentinel's configuration file and restart it, making sure the port is not reachable " +
  'from untrusted networks.\r\n';

/**
 * Time one client's pipelined requests may take in one turn of the event loop before the
 * others get theirs (redis gets the same fairness by reading at most 16 KB per client per
 * turn). Matters for requests that rewrite the config file, about 1 ms each for the fsync.
 */
const TURN_BUDGET_MS = 5;
/**
 * The listen queue when tcp-backlog is not set (redis: 511). The kernel caps it at
 * net.core.somaxconn (4096 on current kernels).
 */
const DEFAULT_TCP_BACKLOG = 4096;
/** Replies encoded into one buffer at most (see processInput). */
const ENCODE_GROUP = 64;

/** Commands a RESP2 client may still run while subscribed. */
const SUBSCRIBED_MODE_OK = new Set(['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);

export class RespServer implements ServerContext {
  readonly opts: RespServerOptions;
  private readonly listeners: net.Server[] = [];
  readonly clients = new Map<number, Client>();
  private nextClientId = 1;
  private boundPort = 0;
  readonly startedAt: number;
  readonly clock: () => number;
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errorReplies: 0,
    maxInputBuffer: 0,
    readsProcessed: 0,
    writesProcessed: 0,
    aclDeniedAuth: 0,
    aclDeniedCmd: 0,
    aclDeniedChannel: 0,
  };
  /** Who listens to which channel and pattern; delivery with the pub/sub output limits. */
  private readonly pubsub = new PubSubRegistry(this);
  private closing = false;
  /** ACL users: `default` (open, or with requirepass) and those made by ACL SETUSER. */
  readonly acl: AclUsers;
  readonly aclLog: AclLog;
  /** The repeat shortcut's state (see repeat.ts). */
  private readonly repeats: Repeats;

  constructor(opts: RespServerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? Date.now;
    this.startedAt = this.clock();
    this.repeats = new Repeats((timed) => opts.hooks.keptAnswersVersion(timed));
    this.acl = new AclUsers(opts.options.requirepass);
    this.acl.pubsubDefault = opts.options.aclPubsubDefault ?? 'resetchannels';
    this.acl.loadConfigured(opts.options.users ?? []);
    this.aclLog = new AclLog(opts.options.acllogMaxLen ?? 128);
  }

  /**
   * The ACL file at start-up (redis's ACLLoadUsersAtStartup): users in both the config file and
   * an ACL file are refused, and an ACL file with any error stops the start. Returns the error
   * to log before exiting, or null.
   */
  loadAclFileAtStartup(): string | null {
    const file = this.opts.options.aclfile ?? '';
    if (file === '') return null;
    if ((this.opts.options.users ?? []).length > 0) {
      // Two sources of users would disagree sooner or later; redis refuses this too.
      return `Users are defined both by 'user' lines in the config file and in the ACL file ${file}: keep them in one of the two places.`;
    }
    const loaded = parseAclFile(file, this.acl.pubsubDefault);
    if ('error' in loaded) return `Not starting: the ACL file has errors: ${loaded.error}`;
    this.acl.replaceAll(loaded.users);
    return null;
  }

  /**
   * ACL LOAD: replaces every user with the file's, or changes nothing when the file has any
   * error. Connections of users that are gone or whose rules changed are closed (as 7.2
   * does; 7.0 closed every non-default user's connections). Returns the error text or null.
   */
  reloadAclFile(current: Client): string | null {
    const loaded = parseAclFile(this.opts.options.aclfile, this.acl.pubsubDefault);
    if ('error' in loaded) return loaded.error;
    const before = new Map(this.acl.list().map((u) => [u.name, u.describe()]));
    this.acl.replaceAll(loaded.users);
    const changed = new Set<string>();
    for (const [name, text] of before) if (this.acl.get(name)?.describe() !== text) changed.add(name);
    // `default` is updated in place, as in redis: its connections stay.
    this.killClients((x) => x.user !== 'default' && changed.has(x.user), current);
    return null;
  }

  get port(): number {
    return this.boundPort || this.opts.options.port;
  }

  get hooks(): SentinelHooks {
    return this.opts.hooks;
  }

  get requirepass(): string | undefined {
    return this.opts.options.requirepass;
  }

  clientCount(): number {
    return this.clients.size;
  }

  pubsubChannelCount(): number {
    return this.pubsub.channelCount;
  }

  pubsubPatternCount(): number {
    return this.pubsub.patternCount;
  }

  /** Connections with CLIENT TRACKING on (INFO tracking_clients). */
  trackingClientCount(): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.tracking.on) n++;
    return n;
  }

  /** Distinct BCAST prefixes over every connection (INFO tracking_total_prefixes). */
  trackingPrefixCount(): number {
    const all = new Set<string>();
    for (const c of this.clients.values()) for (const p of c.tracking.prefixes) all.add(p);
    return all.size;
  }

  // ------------------------------------------------------------------ listening

  async listen(): Promise<void> {
    const o = this.opts.options;
    const addrs = listenAddresses(o.bind);
    const tlsPort = o.tls?.port ?? 0;
    if (tlsPort > 0) {
      const tlsOpts = serverTlsOptions(o.tls);
      for (const a of addrs) {
        const srv = tls.createServer(tlsOpts, (socket) => this.accept(socket));
        srv.on('tlsClientError', (err) => this.opts.log('verbose', `TLS handshake failed: ${err.message}`));
        await this.bindListener(srv, a, tlsPort);
      }
      this.tlsBoundPort = tlsPort;
      // As in redis, port 0 with a TLS port means: TLS only.
      if (o.port === 0) return;
    }
    let port = o.port;
    for (const a of addrs) {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      if (!(await this.bindListener(srv, a, port))) continue;
      // Port 0 asks for any free port: every further address then uses the one we got.
      const bound = srv.address();
      if (bound && typeof bound === 'object') port = bound.port;
    }
    this.boundPort = port;
  }

  /**
   * Listens on one address. An optional address (`-` prefix, or `::` when no bind is given)
   * that this host cannot use is skipped, as redis does; any other failure closes what is
   * already open and rejects with the OS error (EADDRINUSE, ...) for the caller to report.
   */
  private async bindListener(srv: net.Server, a: ListenAddress, port: number): Promise<boolean> {
    try {
      if (!(await listenOn(srv, a, port, this.opts.options.tcpBacklog ?? DEFAULT_TCP_BACKLOG))) {
        this.opts.log('verbose', `Skipping optional bind address ${a.host}`);
        return false;
      }
    } catch (err) {
      await this.close();
      throw err;
    }
    srv.on('error', (err) => this.opts.log('warning', `Listener error: ${err.message}`));
    this.listeners.push(srv);
    return true;
  }

  /** INFO's `listener<N>` lines (redis 7.2): one per transport, with the bind list as configured. */
  listenerInfo(): string[] {
    const o = this.opts.options;
    const binds = (o.bind.length > 0 ? o.bind : ['*', '-::*']).map((b) => `,bind=${b}`).join('');
    const lines: string[] = [];
    // The numbers are redis's connection type slots: 0 = tcp, 2 = tls.
    if (this.boundPort > 0) lines.push(`listener0:name=tcp${binds},port=${this.boundPort}`);
    if (this.tlsBoundPort > 0) lines.push(`listener2:name=tls${binds},port=${this.tlsBoundPort}`);
    return lines;
  }

  /** The TLS port we listen on (0 = none). */
  tlsBoundPort = 0;

  async close(): Promise<void> {
    this.closing = true;
    const done = this.listeners.map((l) => new Promise<void>((r) => l.close(() => r())));
    for (const c of [...this.clients.values()]) this.dropClient(c);
    await Promise.all(done);
    this.listeners.length = 0;
  }

  /**
   * protected-mode yes while the default user has no password: only loopback clients (exactly
   * 127.0.0.1 and ::1, as redis compares them; an IPv4-mapped ::ffff:127.0.0.1 counts as
   * 127.0.0.1) may connect. A sentinel starts with protected-mode no.
   */
  private refusedByProtectedMode(socket: net.Socket): boolean {
    if (!this.opts.options.protectedMode || !this.acl.get('default')?.nopass) return false;
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/i, '');
    return ip !== '127.0.0.1' && ip !== '::1';
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.opts.options.maxclients) {
      this.stats.rejectedConnections++;
      socket.end(encodeReply(error('ERR max number of clients reached'), 2));
      socket.on('error', () => {});
      return;
    }
    if (this.refusedByProtectedMode(socket)) {
      this.stats.rejectedConnections++;
      socket.end(PROTECTED_MODE_DENIED);
      socket.on('error', () => {});
      return;
    }
    // As in redis, a refused connection counts in rejected_connections only.
    this.stats.connectionsReceived++;
    const o = this.opts.options;
    const client = new Client(
      this.nextClientId++,
      socket,
      { maxBulkLen: o.protoMaxBulkLen, maxQueryBuffer: o.clientQueryBufferLimit },
      !this.authRequired(),
      this.clock(),
    );
    this.clients.set(client.id, client);
    // TCP_NODELAY is already set: the listeners are created with noDelay.
    socket.on('data', (chunk: Buffer) => this.onData(client, chunk));
    socket.on('error', (err) => this.opts.log('verbose', `Client id=${client.id} addr=${client.addr}: ${err.message}`));
    socket.on('close', () => this.dropClient(client));
  }

  /** A new connection is authenticated as `default` only while that user is on and has no password. */
  authRequired(): boolean {
    return !this.acl.defaultIsOpen();
  }

  private onData(client: Client, chunk: Buffer): void {
    if (client.closed) return;
    this.stats.netInputBytes += chunk.length;
    this.stats.readsProcessed++;
    client.lastInteraction = this.clock();
    client.parser.feed(chunk);
    this.stats.maxInputBuffer = Math.max(this.stats.maxInputBuffer, client.parser.bufferedBytes());
    this.processInput(client);
  }

  /**
   * Runs every complete request buffered for the client and writes their replies with one
   * socket write. A client that makes us hold more than OUTPUT_PAUSE_BYTES of replies it has
   * not read yet is not read from until that drains: TCP then pushes back on it, instead of
   * its pipelined requests growing our memory without bound (redis has no limit for normal
   * clients; this changes nothing for a client that reads its replies).
   */
  private processInput(client: Client): void {
    const out: Buffer[] = [];
    let outBytes = 0;
    // Replies are encoded together (one buffer for a pipelined batch), in groups of up to
    // ENCODE_GROUP so the output limit below is still checked as they pile up; a change of
    // protocol (HELLO) closes the group, since each reply goes out in the protocol it was run in.
    const pending: Reply[] = [];
    let pendingProto = client.proto;
    const encodePending = (): void => {
      if (pending.length === 0) return;
      // One reply already encoded (a repeat, a kept answer) goes out as it is, uncopied.
      const only = pending.length === 1 ? pending[0]! : null;
      const b = only !== null && only.t === 'raw' ? only.v : encodeReplies(pending, pendingProto);
      pending.length = 0;
      out.push(b);
      outBytes += b.length;
    };
    let backlogged = false;
    let overBudget = false;
    const started = performance.now();
    for (let n = 0; ; n++) {
      if (client.closed || client.closeAfterReply || client.paused) break;
      if (pending.length >= ENCODE_GROUP) encodePending();
      if (client.pendingOutput + outBytes > OUTPUT_PAUSE_BYTES) {
        backlogged = true;
        break;
      }
      // The clock is read every 16 requests: a request takes microseconds, the budget is 5 ms.
      if ((n & 15) === 15 && performance.now() - started > TURN_BUDGET_MS) {
        overBudget = true;
        break;
      }
      const rep = client.repeat;
      if (rep !== null && this.repeats.holds(client, rep) && client.parser.skipIfNext(rep.raw)) {
        // The same request again, whose reply cannot have changed: counted as run, not run.
        this.stats.commandsProcessed++;
        pending.push(rep.reply);
        continue;
      }
      const r = client.parser.next();
      if (r === undefined) break;
      if (r.kind === 'error') {
        client.closeAfterReply = true;
        if (r.message === QUERY_BUFFER_LIMIT_MESSAGE) {
          // Like redis: no reply, the client is just closed (after the replies already due).
          this.opts.log('warning', `Closing client that reached max query buffer length: id=${client.id} addr=${client.addr}`);
          break;
        }
        this.opts.log('verbose', `Protocol error (${r.message}) from client: id=${client.id} addr=${client.addr}. Closing.`);
        // latin1: the message may carry one raw input byte ("expected '$', got 'X'"), which
        // redis echoes as that byte, not as its UTF-8 encoding.
        this.stats.errorReplies++;
        encodePending();
        const b = Buffer.from(`-ERR ${r.message.replace(/[\r\n]/g, ' ')}\r\n`, 'latin1');
        out.push(b);
        outBytes += b.length;
        break;
      }
      const reply = this.repeats.note(client, this.run(client, r.argv));
      if (reply !== null) {
        if (client.replyMode === 'on') {
          if (client.proto !== pendingProto) {
            encodePending();
            pendingProto = client.proto;
          }
          // Field maps read live state: encoded now, before the next command of the batch runs.
          pending.push(reply.t === 'fieldmaps' ? { t: 'raw', v: encodeReply(reply, client.proto) } : reply);
        } else if (client.replyMode === 'skip') {
          client.replyMode = 'on';
        }
      }
    }
    encodePending();
    this.write(client, out);
    if (backlogged || overBudget) this.pauseUntilDrained(client);
    if (client.closeAfterReply && !client.closed) {
      client.closed = true;
      this.pubsub.unsubscribeAll(client);
      this.clients.delete(client.id);
      client.endAfterOutput();
    }
  }

  /**
   * Stops reading from the client until its pending output is written, or until the next turn
   * of the event loop when it only used up its time, then goes on with its requests.
   */
  private pauseUntilDrained(client: Client): void {
    if (client.paused || client.closed) return;
    client.paused = true;
    client.socket.pause();
    const resume = (): void => {
      client.paused = false;
      if (client.closed) return;
      client.socket.resume();
      this.processInput(client);
    };
    // A write the kernel took whole leaves nothing to drain (and no 'drain' event): go on at
    // once, but on a later turn so other clients get theirs.
    if (client.socket.writableNeedDrain) client.socket.once('drain', resume);
    else setImmediate(resume);
  }

  /**
   * execute() guarded: a failure inside one command (a bug, or a hook that throws) is logged
   * and answered with an error instead of taking the whole sentinel down with it.
   */
  private run(client: Client, argv: string[]): Reply | null {
    try {
      return this.execute(client, argv);
    } catch (err) {
      const name = (argv[0] ?? '').slice(0, 128);
      this.opts.log('warning', `Internal error running '${name}' for client id=${client.id} addr=${client.addr}: ${(err as Error)?.stack ?? String(err)}`);
      return this.err(`ERR internal error while running '${name}', see the sentinel log`);
    }
  }

  private write(client: Client, out: Buffer[]): void {
    if (out.length === 0 || client.socket.destroyed) return;
    const data = out.length === 1 ? out[0]! : Buffer.concat(out);
    this.stats.netOutputBytes += data.length;
    this.stats.writesProcessed++;
    client.send(data);
  }

  dropClient(client: Client): void {
    if (!client.closed) {
      client.closed = true;
      client.discardOutput();
      client.socket.destroy();
    }
    this.pubsub.unsubscribeAll(client);
    this.clients.delete(client.id);
  }

  // ------------------------------------------------------------------ dispatch

  /** Runs one command; null means "no reply" (SHUTDOWN, CLIENT REPLY OFF, closed connection). */
  execute(client: Client, argv: string[]): Reply | null {
    this.repeats.begin();
    const name = (argv[0] ?? '').toLowerCase();
    const top = COMMANDS.get(name);
    if (!top) {
      if (name === 'quit') {
        client.closeAfterReply = true;
        return OK;
      }
      // As in redis, a command that is not found leaves `cmd=NULL` in CLIENT LIST.
      client.lastCommand = 'NULL';
      return this.err(unknownCommand(argv));
    }
    let cmd: CommandSpec = top;
    let sub: string | null = null;
    // A container named alone is the command itself: COMMAND (arity -1) runs, CLIENT/ACL/SENTINEL
    // (arity -2) get the arity error below.
    if (top.subcommands.size > 0 && argv.length >= 2) {
      sub = argv[1]!.toLowerCase();
      const alias = SUBCOMMAND_ALIASES.get(top.name)?.get(sub);
      if (alias) sub = alias;
      const s = top.subcommands.get(sub);
      if (!s) {
        client.lastCommand = 'NULL';
        return this.err(`ERR unknown subcommand '${argv[1]!.slice(0, 128)}'. Try ${top.name.toUpperCase()} HELP.`);
      }
      cmd = s;
    }
    // redis records the command as soon as it is looked up, so even a rejected one shows.
    client.lastCommand = cmd.name;
    if (!arityOk(dispatchArity(cmd.name, cmd.arity), argv.length)) return this.err(`ERR wrong number of arguments for '${cmd.name}' command`);
    if (!client.authenticated && !cmd.flags.includes('no_auth')) return this.err('NOAUTH Authentication required.');
    if (client.authenticated && !cmd.flags.includes('no_auth')) {
      const user = this.acl.get(client.user);
      if (!user || !user.mayRun(cmd.name)) {
        this.recordAclDenial(client, 'command', cmd.name);
        return this.err(`NOPERM this user has no permissions to run the '${cmd.name}' command`);
      }
    }
    if (client.proto === 2 && client.isPubsub && !SUBSCRIBED_MODE_OK.has(name)) {
      return this.err(
        `ERR Can't execute '${cmd.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
    }
    // INFO sentinel is a kept answer: repeatable only if built under one version, read before
    // and checked after (a SENTINEL query's tells its own, see answerKept).
    const infoSentinel = name === 'info' && argv.length === 2 && argv[1]!.toLowerCase() === 'sentinel';
    const infoTimed = infoSentinel && this.opts.hooks.infoSentinelTimed();
    const infoBefore = infoSentinel ? this.opts.hooks.keptAnswersVersion(infoTimed) : -1;
    const reply =
      name === 'sentinel' && sub !== null && sub !== 'help'
        ? this.opts.hooks.sentinelCommand(sub, argv.slice(2), this.contextOf(client))
        : runGenericCommand(this, client, name, sub, argv);
    if (name === 'ping') this.repeats.always();
    else if (infoSentinel && this.opts.hooks.keptAnswersVersion(infoTimed) === infoBefore) this.repeats.kept(infoTimed, infoBefore);
    // CLIENT CACHING yes/no covers only the next command (any CLIENT subcommand keeps it).
    if (name !== 'client') client.tracking.caching = false;
    // Like redis's total_commands_processed: counted once run (so INFO does not count itself);
    // commands rejected before running (unknown, arity, auth, subscribed mode) don't count.
    this.stats.commandsProcessed++;
    return this.countErrors(reply);
  }

  private err(text: string): Reply {
    this.stats.errorReplies++;
    return error(text);
  }

  private countErrors(r: Reply | null): Reply | null {
    if (r && r.t === 'error') this.stats.errorReplies++;
    return r;
  }

  /** Counts a refused authentication, command or channel (INFO) and logs it (ACL LOG). */
  recordAclDenial(client: Client, reason: AclDenialReason, object: string, username = client.user): void {
    if (reason === 'auth') this.stats.aclDeniedAuth++;
    else if (reason === 'command') this.stats.aclDeniedCmd++;
    else if (reason === 'channel') this.stats.aclDeniedChannel++;
    const now = this.clock();
    this.aclLog.add(reason, object, username, client.describe(now), now);
  }

  contextOf(client: Client): ClientContext {
    return {
      id: client.id,
      proto: client.proto,
      user: client.user,
      closeAfterReply: () => {
        client.closeAfterReply = true;
      },
      answerKept: (timed, version) => this.repeats.kept(timed, version),
    };
  }

  // ------------------------------------------------------------------ pub/sub (pubsub.ts)

  subscribe(client: Client, channel: string, pattern: boolean): void {
    this.pubsub.subscribe(client, channel, pattern);
  }

  unsubscribe(client: Client, channel: string, pattern: boolean): boolean {
    return this.pubsub.unsubscribe(client, channel, pattern);
  }

  /** Delivers an event to its subscribers; returns how many received it. */
  publish(channel: string, message: string): number {
    return this.pubsub.publish(channel, message);
  }

  /** Closes clients matching `pred`; the caller itself is closed after its reply. */
  killClients(pred: (c: Client) => boolean, caller: Client | null): number {
    let n = 0;
    for (const c of [...this.clients.values()]) {
      if (!pred(c)) continue;
      n++;
      if (c === caller) c.closeAfterReply = true;
      else this.dropClient(c);
    }
    return n;
  }

  killClientsOfUser(user: string): number {
    return this.killClients((c) => c.user === user, null);
  }
}

export { listenAddresses };
