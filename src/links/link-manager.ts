/**
 * Outbound connections to monitored servers and peer sentinels: the sockets behind the core's
 * links. The core names each connection with a number; this module opens it, writes the
 * commands the core sends (pipelined, without waiting for the connection to be up, as hiredis
 * does), matches replies to their commands in order, and reports everything back.
 *
 * The commands sent to one connection in one turn of the event loop (a timer run's PING and
 * hello, a failover step's commands) go out in one write: with thousands of links, a write
 * costs far more than the bytes in it, and the replies then come back in one read too.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ReplyTag, Wire } from '../core/actions.js';
import { encodeRequestText } from '../protocol/encode.js';
import { ReplyParser, RespError, RespPush } from '../protocol/reply-parser.js';
import type { RespValue } from '../protocol/reply-parser.js';

export interface LinkEvents {
  connected(conn: number, localIp: string, remoteIp: string): void;
  closed(conn: number, reason: string): void;
  reply(conn: number, tag: ReplyTag, value: Wire): void;
  message(conn: number, channel: string, payload: string): void;
}

export interface LinkManagerOptions {
  /** bind-source-addr: local address for outgoing connections. */
  sourceAddr?: string;
  /** tls-replication: every outgoing connection uses TLS with these options. */
  tls?: tls.ConnectionOptions;
}

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  readonly parser: ReplyParser;
  readonly pubsub: boolean;
  readonly pending: ReplyTag[];
  /** Requests sent this turn, not written yet (see writeOut). */
  out: string;
  closed: boolean;
}

/** Where plain link connections read (see connect): one at a time, copied from when kept. */
const SHARED_READ_BUFFER = Buffer.alloc(64 * 1024);

export class LinkManager {
  private readonly conns = new Map<number, Connection>();
  /** Connections with requests not written yet; written together once this turn's code is done. */
  private unwritten: Connection[] = [];
  private writeScheduled = false;

  constructor(
    private readonly events: LinkEvents,
    private readonly opts: LinkManagerOptions = {},
  ) {}

  connect(id: number, host: string, port: number, purpose: 'cmd' | 'pubsub'): void {
    const connectOpts: net.NetConnectOpts = { host, port };
    if (this.opts.sourceAddr) connectOpts.localAddress = this.opts.sourceAddr;
    let c: Connection;
    // Plain connections read into one buffer shared by all links, handed to onData as it
    // arrives (no stream machinery, no buffer per read); TLS ones keep the 'data' events.
    const socket = this.opts.tls
      ? tls.connect({ ...connectOpts, ...this.opts.tls })
      : net.connect({ ...connectOpts, onread: { buffer: SHARED_READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.onData(c, buf as Buffer, n, true) } });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 300_000);
    c = { id, socket, parser: new ReplyParser(), pubsub: purpose === 'pubsub', pending: [], out: '', closed: false };
    this.conns.set(id, c);
    socket.on(this.opts.tls ? 'secureConnect' : 'connect', () => {
      this.events.connected(id, stripV4Mapped(socket.localAddress ?? ''), stripV4Mapped(socket.remoteAddress ?? ''));
    });
    if (this.opts.tls) socket.on('data', (chunk: Buffer) => this.onData(c, chunk, chunk.length, false));
    socket.on('error', (err: Error) => this.drop(c, err.message));
    socket.on('close', () => this.drop(c, 'connection closed'));
  }

  send(id: number, argv: readonly string[], tag: ReplyTag): void {
    const c = this.conns.get(id);
    if (!c || c.closed) return;
    c.pending.push(tag);
    if (c.out === '') this.unwritten.push(c);
    c.out += encodeRequestText(argv);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      process.nextTick(this.writeOut);
    }
  }

  /** Writes what each connection was sent this turn, one write per connection. */
  private readonly writeOut = (): void => {
    this.writeScheduled = false;
    const list = this.unwritten;
    this.unwritten = [];
    for (const c of list) this.writeNow(c);
  };

  private writeNow(c: Connection): void {
    if (c.out === '') return;
    const data = c.out;
    c.out = '';
    if (!c.closed) c.socket.write(data);
  }

  close(id: number): void {
    const c = this.conns.get(id);
    if (!c) return;
    // What was sent before the close still goes out first, as it did when each send wrote.
    this.writeNow(c);
    c.closed = true;
    this.conns.delete(id);
    c.socket.destroy();
  }

  closeAll(): void {
    for (const id of [...this.conns.keys()]) this.close(id);
  }

  /**
   * `n` bytes of `buf` arrived; `shared`: buf is the shared read buffer, reused once this
   * returns. Always true (for onread: go on reading).
   */
  private onData(c: Connection, buf: Buffer, n: number, shared: boolean): boolean {
    if (c.closed) return true;
    try {
      c.parser.feed(n === buf.length ? buf : buf.subarray(0, n), shared);
      for (;;) {
        const v = c.parser.next();
        if (v === undefined) break;
        this.dispatch(c, v);
        if (c.closed) return true;
      }
      if (shared) c.parser.ownRest();
    } catch (err) {
      // A server speaking garbage: drop the connection, the core will reconnect.
      c.socket.destroy();
      this.drop(c, `protocol error: ${(err as Error).message}`);
    }
    return true;
  }

  private dispatch(c: Connection, v: RespValue): void {
    if (c.pubsub) {
      const frame = v instanceof RespPush ? v.items : Array.isArray(v) ? v : null;
      if (frame && frame.length === 3 && frame[0] === 'message') {
        this.events.message(c.id, String(frame[1]), String(frame[2]));
        return;
      }
      if (v instanceof RespPush) return; // other pushes (e.g. invalidations) are not replies
    }
    const tag = c.pending.shift();
    if (tag) this.events.reply(c.id, tag, toWire(v));
  }

  private drop(c: Connection, reason: string): void {
    if (c.closed) return;
    c.closed = true;
    this.conns.delete(c.id);
    c.socket.destroy();
    this.events.closed(c.id, reason);
  }
}

function toWire(v: RespValue): Wire {
  if (v instanceof RespError) return { error: v.message };
  if (v instanceof RespPush) return v.items.map(toWire);
  if (Array.isArray(v)) return v.map(toWire);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || v === null) return v;
  return null;
}

function stripV4Mapped(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
