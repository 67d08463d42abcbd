/**
 * The sentinel's RESP server: listeners, clients, request dispatch through the command table,
 * pub/sub of the sentinel's events, and the limits that keep one bad client from hurting the
 * others. Sentinel-specific answers come from SentinelHooks.
 */
import net from 'node:net';
import tls from 'node:tls';
import { serverTlsOptions } from './tls-options.js';
import type { ServerOptions } from '../config/model.js';
import { encodeReply } from '../protocol/encode.js';
import type { Reply } from '../protocol/reply.js';
import { array, bulk, error, push } from '../protocol/reply.js';
import { COMMANDS, SUBCOMMAND_ALIASES, arityOk } from '../commands/table.js';
import type { CommandSpec } from '../commands/table.js';
import { runGenericCommand } from '../commands/generic.js';
import type { ServerContext } from '../commands/generic.js';
import { globMatch } from '../util/glob.js';
import { QUERY_BUFFER_LIMIT_MESSAGE } from '../protocol/request-parser.js';
import { Client } from './client.js';
import { AclUsers } from './acl.js';
import type { ClientContext, SentinelHooks } from './hooks.js';

export type ServerLogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

export interface RespServerOptions {
  options: ServerOptions;
  hooks: SentinelHooks;
  log: (level: ServerLogLevel, message: string) => void;
  /** redis_version reported by INFO and HELLO. */
  version: string;
  runId: string;
  configFile: string;
  executable: string;
  clock?: () => number;
}

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
  readonly stats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errorReplies: 0,
    maxInputBuffer: 0,
  };
  /** Channel -> subscribers, pattern -> subscribers. */
  private readonly channelSubs = new Map<string, Set<Client>>();
  private readonly patternSubs = new Map<string, Set<Client>>();
  private closing = false;
  /** ACL users: `default` (open, or with requirepass) and those made by ACL SETUSER. */
  readonly acl: AclUsers;

  constructor(opts: RespServerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? Date.now;
    this.startedAt = this.clock();
    this.acl = new AclUsers(opts.options.requirepass);
    for (const [name, ...rules] of opts.options.users ?? []) this.acl.setUser(name!, rules);
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
    return this.channelSubs.size;
  }

  pubsubPatternCount(): number {
    return this.patternSubs.size;
  }

  // ------------------------------------------------------------------ listening

  async listen(): Promise<void> {
    const o = this.opts.options;
    const addrs = o.bind.length > 0 ? o.bind.map((a) => (a.startsWith('-') ? a.slice(1) : a)) : ['0.0.0.0', '::'];
    const tlsPort = o.tls?.port ?? 0;
    if (tlsPort > 0) {
      const tlsOpts = serverTlsOptions(o.tls);
      for (const host of addrs) {
        const srv = tls.createServer(tlsOpts, (socket) => this.accept(socket));
        srv.on('tlsClientError', (err) => this.opts.log('verbose', `TLS handshake failed: ${err.message}`));
        await this.bindListener(srv, host, tlsPort, o.bind.length === 0);
      }
      this.tlsBoundPort = tlsPort;
      // As in redis, port 0 with a TLS port means: TLS only.
      if (o.port === 0) return;
    }
    let port = o.port;
    for (const host of addrs) {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ host, port, exclusive: true, ipv6Only: host === '::' }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // No IPv6 on this host is not a reason to fail when listening on every interface.
        if (host === '::' && o.bind.length === 0 && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) continue;
        await this.close();
        throw err;
      }
      srv.on('error', (err) => this.opts.log('warning', `Listener error: ${err.message}`));
      this.listeners.push(srv);
      const a = srv.address();
      if (a && typeof a === 'object') port = a.port;
    }
    this.boundPort = port;
  }

  /** Listens on host:port; a missing IPv6 stack is tolerated when listening everywhere. */
  private async bindListener(srv: net.Server, host: string, port: number, everywhere: boolean): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host, port, exclusive: true, ipv6Only: host === '::' }, () => {
          srv.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (host === '::' && everywhere && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) return;
      await this.close();
      throw err;
    }
    srv.on('error', (err) => this.opts.log('warning', `Listener error: ${err.message}`));
    this.listeners.push(srv);
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
    socket.setNoDelay(true);
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
    client.lastInteraction = this.clock();
    client.parser.feed(chunk);
    this.stats.maxInputBuffer = Math.max(this.stats.maxInputBuffer, client.parser.bufferedBytes());
    const out: Buffer[] = [];
    for (;;) {
      if (client.closed || client.closeAfterReply) break;
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
        out.push(Buffer.from(`-ERR ${r.message.replace(/[\r\n]/g, ' ')}\r\n`, 'latin1'));
        break;
      }
      const reply = this.execute(client, r.argv);
      if (reply !== null) {
        if (client.replyMode === 'on') out.push(encodeReply(reply, client.proto));
        else if (client.replyMode === 'skip') client.replyMode = 'on';
      }
    }
    this.write(client, out);
    if (client.closeAfterReply && !client.closed) {
      client.closed = true;
      this.unsubscribeAll(client);
      this.clients.delete(client.id);
      client.socket.end();
    }
  }

  private write(client: Client, out: Buffer[]): void {
    if (out.length === 0 || client.socket.destroyed) return;
    const data = out.length === 1 ? out[0]! : Buffer.concat(out);
    this.stats.netOutputBytes += data.length;
    client.socket.write(data);
  }

  dropClient(client: Client): void {
    if (!client.closed) {
      client.closed = true;
      client.socket.destroy();
    }
    this.unsubscribeAll(client);
    this.clients.delete(client.id);
  }

  // ------------------------------------------------------------------ dispatch

  /** Runs one command; null means "no reply" (SHUTDOWN, closed connection). */
  execute(client: Client, argv: string[]): Reply | null {
    const name = (argv[0] ?? '').toLowerCase();
    const top = COMMANDS.get(name);
    if (!top) {
      if (name === 'quit') {
        client.closeAfterReply = true;
        return { t: 'simple', v: 'OK' };
      }
      return this.err(unknownCommand(argv));
    }
    let cmd: CommandSpec = top;
    let sub: string | null = null;
    // A container named alone is the command itself: COMMAND (arity -1) runs, CLIENT/ACL/SENTINEL
    // (arity -2) get the arity error below.
    if (top.subcommands.size > 0 && argv.length >= 2) {
      sub = argv[1]!.toLowerCase();
      const alias = SUBCOMMAND_ALIASES.get(`${top.name}|${sub}`);
      if (alias) sub = alias;
      const s = top.subcommands.get(sub);
      if (!s) return this.err(`ERR unknown subcommand '${argv[1]!.slice(0, 128)}'. Try ${top.name.toUpperCase()} HELP.`);
      cmd = s;
    }
    if (!arityOk(cmd.arity, argv.length)) return this.err(`ERR wrong number of arguments for '${cmd.name}' command`);
    if (!client.authenticated && !cmd.flags.includes('no_auth')) return this.err('NOAUTH Authentication required.');
    if (client.authenticated && !cmd.flags.includes('no_auth')) {
      const user = this.acl.get(client.user);
      if (!user || !user.canRun(cmd.name)) return this.err(`NOPERM User ${client.user} has no permissions to run the '${cmd.name}' command`);
    }
    if (client.proto === 2 && client.isPubsub && !SUBSCRIBED_MODE_OK.has(name)) {
      return this.err(
        `ERR Can't execute '${cmd.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
    }
    client.lastCommand = cmd.name;
    const reply =
      name === 'sentinel' && sub !== null && sub !== 'help'
        ? this.opts.hooks.sentinelCommand(sub, argv.slice(2), this.contextOf(client))
        : runGenericCommand(this, client, name, sub, argv);
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

  contextOf(client: Client): ClientContext {
    return {
      id: client.id,
      proto: client.proto,
      user: client.user,
      closeAfterReply: () => {
        client.closeAfterReply = true;
      },
    };
  }

  // ------------------------------------------------------------------ pub/sub

  subscribe(client: Client, channel: string, pattern: boolean): void {
    const set = pattern ? client.patterns : client.channels;
    if (set.has(channel)) return;
    set.add(channel);
    const index = pattern ? this.patternSubs : this.channelSubs;
    let subs = index.get(channel);
    if (!subs) index.set(channel, (subs = new Set()));
    subs.add(client);
  }

  unsubscribe(client: Client, channel: string, pattern: boolean): boolean {
    const set = pattern ? client.patterns : client.channels;
    if (!set.delete(channel)) return false;
    const index = pattern ? this.patternSubs : this.channelSubs;
    const subs = index.get(channel);
    subs?.delete(client);
    if (subs && subs.size === 0) index.delete(channel);
    return true;
  }

  private unsubscribeAll(client: Client): void {
    for (const c of [...client.channels]) this.unsubscribe(client, c, false);
    for (const p of [...client.patterns]) this.unsubscribe(client, p, true);
  }

  /** Delivers an event to its subscribers; returns how many received it. */
  publish(channel: string, message: string): number {
    let n = 0;
    const frames = new Map<number, Buffer>();
    const frame = (proto: 2 | 3, parts: Reply[]): Buffer => encodeReply(proto === 3 ? push(parts) : array(parts), proto);
    for (const c of this.channelSubs.get(channel) ?? []) {
      let f = frames.get(c.proto);
      if (!f) frames.set(c.proto, (f = frame(c.proto, [bulk('message'), bulk(channel), bulk(message)])));
      this.deliver(c, f);
      n++;
    }
    for (const [pattern, subs] of this.patternSubs) {
      if (!globMatch(pattern, channel)) continue;
      for (const c of subs) {
        this.deliver(c, frame(c.proto, [bulk('pmessage'), bulk(pattern), bulk(channel), bulk(message)]));
        n++;
      }
    }
    return n;
  }

  /**
   * Writes a pub/sub message, enforcing client-output-buffer-limit pubsub: a subscriber that
   * does not read is dropped rather than allowed to grow our memory without bound.
   */
  private deliver(c: Client, data: Buffer): void {
    if (c.closed) return;
    const o = this.opts.options;
    const pending = c.socket.writableLength + data.length;
    const now = this.clock();
    let over = o.pubsubOutputHardLimit > 0 && pending > o.pubsubOutputHardLimit;
    if (!over && o.pubsubOutputSoftLimit > 0 && pending > o.pubsubOutputSoftLimit) {
      if (c.softLimitSince === 0) c.softLimitSince = now;
      else if (now - c.softLimitSince > o.pubsubOutputSoftSeconds * 1000) over = true;
    } else if (pending <= o.pubsubOutputSoftLimit) {
      c.softLimitSince = 0;
    }
    if (over) {
      this.opts.log('warning', `Client id=${c.id} addr=${c.addr} closed for overcoming of output buffer limits.`);
      this.dropClient(c);
      return;
    }
    this.stats.netOutputBytes += data.length;
    c.socket.write(data);
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

function unknownCommand(argv: string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  return `ERR unknown command '${(argv[0] ?? '').slice(0, 128)}', with args beginning with: ${args}`;
}

