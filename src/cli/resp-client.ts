/**
 * A small promise-based RESP2 client for `sentinel-ts drill`, over node:net or node:tls.
 *
 * The drill must behave like an ordinary application client and may not depend on ioredis (a
 * devDependency only), so it speaks the protocol itself: requests are RESP arrays of bulk
 * strings, replies are read with the server's own ReplyParser. Commands are pipelined: each
 * `call` writes at once and waits on a FIFO of pending replies, which is how one connection can
 * carry writes issued on a schedule whether or not earlier ones have returned.
 *
 * Failure model, deliberately simple: an error reply rejects that call only (RespReplyError);
 * anything that breaks the stream (the peer closing, a socket error, garbage, a command timeout,
 * `close()`) ends the connection and rejects every pending call with a ConnectionError, since
 * the outcome of a command whose reply was never read is unknown. There is no reconnection
 * here: the caller decides what a lost connection means (the drill re-resolves the master).
 */
import net from 'node:net';
import tls from 'node:tls';
import { encodeRequest } from '../protocol/encode.js';
import { ReplyParser, RespError, RespPush } from '../protocol/reply-parser.js';
import type { RespValue } from '../protocol/reply-parser.js';
import { ConnectionError, RespProtocolError, RespReplyError } from '../util/errors.js';

/** TLS as redis-cli configures it (--tls, --cacert, --cert, --key, --insecure, --sni). */
export interface TlsSettings {
  /** PEM contents, not paths: files are read once by the caller. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Skip certificate verification (redis-cli --insecure). */
  insecure: boolean;
  /** Server name to send and verify; by default the host when it is a name (never an IP). */
  servername?: string;
}

export interface ConnectOptions {
  host: string;
  port: number;
  /** Default 2000 ms, covering the TLS handshake and AUTH. */
  connectTimeoutMs?: number;
  /** A reply slower than this ends the connection; 0 (default) waits forever. */
  commandTimeoutMs?: number;
  /** AUTH <user> <password> when both are set, AUTH <password> with only a password. */
  user?: string;
  password?: string;
  /** Set: connect with TLS. */
  tls?: TlsSettings;
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class RespClient {
  private readonly parser = new ReplyParser();
  /** Replies awaited, oldest first; `head` avoids an O(n) shift per reply under pipelining. */
  private pending: Pending[] = [];
  private head = 0;
  private ended: ConnectionError | null = null;
  private readonly closeListeners: ((e: ConnectionError) => void)[] = [];
  readonly address: string;

  private constructor(
    private readonly socket: net.Socket,
    private readonly opts: ConnectOptions,
  ) {
    this.address = `${opts.host}:${opts.port}`;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.end('CONNECTION_LOST', `connection to ${this.address} failed: ${e.message}`));
    socket.on('close', () => this.end('CONNECTION_LOST', `connection to ${this.address} closed by the server`));
    if (socket.destroyed) this.end('CONNECTION_LOST', `connection to ${this.address} closed by the server`);
  }

  /** Connects (TLS when asked), then AUTHs; rejects with ConnectionError or the AUTH's RespReplyError. */
  static async connect(opts: ConnectOptions): Promise<RespClient> {
    const address = `${opts.host}:${opts.port}`;
    const timeoutMs = opts.connectTimeoutMs ?? 2000;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = opts.tls ? tls.connect(tlsConnectOptions(opts.host, opts.port, opts.tls)) : net.connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ConnectionError('CONNECT_TIMEOUT', `could not connect to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        s.destroy();
        reject(new ConnectionError('CONNECT_FAILED', `could not connect to ${address}: ${e.message}`));
      };
      s.once('error', onError);
      s.once(opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        // The constructor adds the client's own handler in a microtask, before any I/O event.
        s.off('error', onError);
        resolve(s);
      });
    });
    socket.setNoDelay(true);
    const client = new RespClient(socket, opts);
    if (opts.password !== undefined && opts.password !== '') {
      // AUTH gets the connect timeout too: a server that accepts but never answers is not usable.
      const auth = opts.user ? ['AUTH', opts.user, opts.password] : ['AUTH', opts.password];
      const timer = setTimeout(() => client.end('CONNECT_TIMEOUT', `no reply to AUTH from ${address} within ${timeoutMs} ms`), timeoutMs);
      try {
        await client.call(...auth);
      } catch (e) {
        client.close();
        throw e;
      } finally {
        clearTimeout(timer);
      }
    }
    return client;
  }

  /** True once the connection has ended (every later call rejects at once). */
  get closed(): boolean {
    return this.ended !== null;
  }

  /** Replies still awaited. */
  get inFlight(): number {
    return this.pending.length - this.head;
  }

  /** Called once when the connection ends, with the reason outstanding calls were rejected with. */
  onClose(listener: (e: ConnectionError) => void): void {
    if (this.ended) listener(this.ended);
    else this.closeListeners.push(listener);
  }

  /** Sends one command; resolves with its reply, rejects with RespReplyError or ConnectionError. */
  call(...args: (string | number)[]): Promise<RespValue> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<RespValue>((resolve, reject) => {
      const p: Pending = { resolve, reject, timer: undefined };
      const limit = this.opts.commandTimeoutMs ?? 0;
      if (limit > 0) {
        // Replies come in order, so one that is late cannot be skipped: the connection goes.
        p.timer = setTimeout(() => this.end('COMMAND_TIMEOUT', `no reply from ${this.address} within ${limit} ms`), limit);
      }
      this.pending.push(p);
      this.socket.write(encodeRequest(args));
    });
  }

  /** Ends the connection; pending calls reject with CONNECTION_CLOSED. Idempotent. */
  close(): void {
    this.end('CONNECTION_CLOSED', `connection to ${this.address} closed by the client`);
  }

  private onData(chunk: Buffer): void {
    this.parser.feed(chunk);
    for (;;) {
      let v: RespValue | undefined;
      try {
        v = this.parser.next();
      } catch (e) {
        if (!(e instanceof RespProtocolError)) throw e;
        this.end('CONNECTION_LOST', `protocol error from ${this.address}: ${e.message}`);
        return;
      }
      if (v === undefined) return;
      if (v instanceof RespPush) continue; // out-of-band (RESP3 only); never a command's reply
      const p = this.pending[this.head];
      if (!p) {
        this.end('CONNECTION_LOST', `unexpected reply from ${this.address} with no command pending`);
        return;
      }
      this.pending[this.head++] = undefined as unknown as Pending;
      if (this.head > 1024 && this.head * 2 > this.pending.length) {
        this.pending = this.pending.slice(this.head);
        this.head = 0;
      }
      if (p.timer) clearTimeout(p.timer);
      if (v instanceof RespError) p.reject(new RespReplyError(v.message));
      else p.resolve(v);
      if (this.ended) return; // a resolve handler closed us: the rest is not ours to deliver
    }
  }

  private end(code: ConnectionError['code'], message: string): void {
    if (this.ended) return;
    const err = new ConnectionError(code, message);
    this.ended = err;
    this.socket.destroy();
    const waiting = this.pending.slice(this.head);
    this.pending = [];
    this.head = 0;
    for (const p of waiting) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    for (const l of this.closeListeners.splice(0)) l(err);
  }
}

function tlsConnectOptions(host: string, port: number, t: TlsSettings): tls.ConnectionOptions {
  // SNI must be a name: Node refuses (and redis-cli never sends) an IP address as servername.
  const servername = t.servername ?? (net.isIP(host) === 0 ? host : undefined);
  return {
    host,
    port,
    ...(t.ca ? { ca: t.ca } : {}),
    ...(t.cert ? { cert: t.cert } : {}),
    ...(t.key ? { key: t.key } : {}),
    ...(servername !== undefined ? { servername } : {}),
    rejectUnauthorized: !t.insecure,
  };
}
