/** The per-connection state of a client of the sentinel's RESP server. */
import type net from 'node:net';
import type { Proto } from '../protocol/reply.js';
import { RequestParser } from '../protocol/request-parser.js';
import type { RequestLimits } from '../protocol/request-parser.js';
import type { Repeat } from './repeat.js';

export class Client {
  readonly id: number;
  readonly socket: net.Socket;
  readonly parser: RequestParser;
  readonly createdAt: number;
  readonly addr: string;
  readonly laddr: string;
  proto: Proto = 2;
  name = '';
  libName = '';
  libVer = '';
  user = 'default';
  authenticated: boolean;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  lastInteraction: number;
  lastCommand = 'NULL';
  replyMode: 'on' | 'off' | 'skip' = 'on';
  /**
   * CLIENT TRACKING state, kept and reported as redis does; a sentinel has no keys, so no
   * invalidation message is ever sent.
   */
  readonly tracking: TrackingState = newTrackingState();
  /** CLIENT NO-EVICT (shown as the `e` flag; nothing is ever evicted here). */
  noEvict = false;
  /** The previous request and its reply, while it may be repeated (see repeat.ts). */
  repeat: Repeat | null = null;
  /** Not read from until its unread replies drain (see RespServer.processInput). */
  paused = false;
  /** Close once the replies already produced are written (QUIT, CLIENT KILL of oneself). */
  closeAfterReply = false;
  closed = false;
  /** When the output first went over the pub/sub soft limit (0 = not over). */
  softLimitSince = 0;
  /**
   * Output not yet handed to the socket, held while the socket waits for 'drain'. A reader
   * that stalls then costs one list we can drop at once: chunks left inside a destroyed
   * socket would each be failed with an error object of their own.
   */
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private awaitingDrain = false;

  constructor(id: number, socket: net.Socket, limits: Partial<RequestLimits>, authenticated: boolean, now: number) {
    this.id = id;
    this.socket = socket;
    this.authenticated = authenticated;
    this.parser = new RequestParser(limits, () => this.authenticated);
    this.createdAt = now;
    this.lastInteraction = now;
    this.addr = formatAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = formatAddr(socket.localAddress, socket.localPort);
  }

  /** Writes in order: straight to the socket, or behind what waits for 'drain'. */
  send(data: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.awaitingDrain) {
      this.queued.push(data);
      this.queuedBytes += data.length;
      return;
    }
    if (!this.socket.write(data)) {
      this.awaitingDrain = true;
      this.socket.once('drain', () => this.flushQueued());
    }
  }

  private flushQueued(): void {
    this.awaitingDrain = false;
    if (this.queued.length === 0) return;
    const data = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued);
    this.queued = [];
    this.queuedBytes = 0;
    this.send(data);
  }

  /** Bytes written but not yet taken by the kernel (CLIENT LIST omem, the output limits). */
  get pendingOutput(): number {
    return this.socket.writableLength + this.queuedBytes;
  }

  /** Closes the connection once everything written so far has been sent. */
  endAfterOutput(): void {
    if (this.queued.length > 0) {
      const data = Buffer.concat(this.queued);
      this.discardOutput();
      this.socket.write(data);
    }
    this.socket.end();
  }

  /** Forgets the queued output (the client is being dropped). */
  discardOutput(): void {
    this.queued = [];
    this.queuedBytes = 0;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  get isPubsub(): boolean {
    return this.subscriptionCount > 0;
  }

  /** CLIENT LIST flag letters, in redis's order (N when none applies). */
  flags(): string {
    let f = '';
    if (this.isPubsub) f += 'P';
    if (this.tracking.on) f += 't';
    if (this.tracking.on && this.tracking.bcast) f += 'B';
    if (this.closeAfterReply) f += 'c';
    if (this.noEvict) f += 'e';
    return f || 'N';
  }

  /** One CLIENT LIST / CLIENT INFO line, in redis's field order. */
  describe(now: number): string {
    const flags = this.flags();
    // Whole seconds of wall time, as redis subtracts unix times.
    const age = Math.floor(now / 1000) - Math.floor(this.createdAt / 1000);
    const idle = Math.floor(now / 1000) - Math.floor(this.lastInteraction / 1000);
    const redir = this.tracking.on ? this.tracking.redirect : -1;
    const qbuf = this.parser.bufferedBytes();
    const obl = this.pendingOutput;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${socketFd(this.socket)} name=${this.name} age=${age} idle=${idle} ` +
      `flags=${flags} db=0 sub=${this.channels.size} psub=${this.patterns.size} ssub=0 multi=-1 qbuf=${qbuf} qbuf-free=0 ` +
      `argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=${obl} oll=0 omem=${obl} tot-mem=${qbuf + obl} events=${this.paused ? '' : 'r'}${obl > 0 ? 'w' : ''} ` +
      `cmd=${this.lastCommand} user=${this.user} redir=${redir} resp=${this.proto} lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
}

export interface TrackingState {
  on: boolean;
  /** Client id the invalidations go to; 0 = this connection. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING yes/no given for the next command. */
  caching: boolean;
  /** BCAST prefixes, kept sorted (redis keeps them in a radix tree). */
  prefixes: string[];
}

export function newTrackingState(): TrackingState {
  return { on: false, redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, prefixes: [] };
}

function formatAddr(ip: string | undefined, port: number | undefined): string {
  let host = ip ?? '?';
  if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice(7);
  // redis (anetFormatAddr) brackets IPv6 addresses: [::1]:6379.
  return host.includes(':') ? `[${host}]:${port ?? 0}` : `${host}:${port ?? 0}`;
}

function socketFd(s: net.Socket): number {
  const h = (s as unknown as { _handle?: { fd?: number } })._handle;
  return h?.fd ?? -1;
}
