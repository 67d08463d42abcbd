/** The per-connection state of a client of the sentinel's RESP server. */
import type net from 'node:net';
import type { Proto } from '../protocol/reply.js';
import { RequestParser } from '../protocol/request-parser.js';
import type { RequestLimits } from '../protocol/request-parser.js';

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
  /** CLIENT TRACKING on/off (accepted; a sentinel has no keys to invalidate). */
  tracking = false;
  /** Close once the replies already produced are written (QUIT, CLIENT KILL of oneself). */
  closeAfterReply = false;
  closed = false;
  /** When the output first went over the pub/sub soft limit (0 = not over). */
  softLimitSince = 0;

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

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  get isPubsub(): boolean {
    return this.subscriptionCount > 0;
  }

  /** One CLIENT LIST / CLIENT INFO line, in redis's field order. */
  describe(now: number): string {
    const flags = this.isPubsub ? 'P' : 'N';
    const age = Math.floor((now - this.createdAt) / 1000);
    const idle = Math.floor((now - this.lastInteraction) / 1000);
    const qbuf = this.parser.bufferedBytes();
    const obl = this.socket.writableLength;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${socketFd(this.socket)} name=${this.name} age=${age} idle=${idle} ` +
      `flags=${flags} db=0 sub=${this.channels.size} psub=${this.patterns.size} ssub=0 multi=-1 qbuf=${qbuf} qbuf-free=0 ` +
      `argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=${obl} oll=0 omem=${obl} tot-mem=${qbuf + obl} events=r ` +
      `cmd=${this.lastCommand} user=${this.user} redir=-1 resp=${this.proto} lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
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
