/**
 * A minimal raw TCP client for the server tests: writes bytes as given and checks the bytes
 * that come back, exactly. Every wait is bounded (a guard against hangs, not a timing check).
 */
import net from 'node:net';
import { ReplyParser } from '../../src/protocol/reply-parser.js';
import type { RespValue } from '../../src/protocol/reply-parser.js';

const GUARD_MS = 5000;

export class RawClient {
  readonly socket: net.Socket;
  /** Received, not yet consumed; kept as chunks and joined only when read (large replies). */
  private chunks: Buffer[] = [];
  private length = 0;
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.length += d.length;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, noDelay: true });
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private get buf(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0]!;
  }

  private set buf(b: Buffer) {
    this.chunks = [b];
    this.length = b.length;
  }

  /** Resolves once `cond()` holds (checked at every incoming chunk and at close). */
  private async until(cond: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + GUARD_MS;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.buf.subarray(0, 300).toString('latin1'))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends `data` and returns the next `expected.length` bytes (latin1), consumed. */
  async roundTrip(data: string | Buffer, bytes: number): Promise<string> {
    this.write(data);
    return this.take(bytes);
  }

  /** The next n bytes, consumed (latin1). */
  async take(n: number): Promise<string> {
    await this.until(() => this.length >= n || this.closed, `${n} bytes`);
    if (this.length < n) throw new Error(`connection closed after ${JSON.stringify(this.buf.toString('latin1'))}`);
    const out = this.buf.subarray(0, n).toString('latin1');
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Asserts-by-return: reads exactly as many bytes as `expected` and returns them. */
  async expect(expected: string): Promise<string> {
    return this.take(Buffer.byteLength(expected, 'latin1'));
  }

  /** The next complete RESP value, parsed (the bytes are consumed). */
  async value(): Promise<RespValue> {
    let out: RespValue | undefined;
    await this.until(() => {
      const p = new ReplyParser();
      p.feed(this.buf);
      const v = p.next();
      if (v === undefined) return this.closed;
      out = v;
      this.buf = this.buf.subarray(consumedBytes(this.buf));
      return true;
    }, 'a reply');
    if (out === undefined) throw new Error('connection closed before a reply');
    return out;
  }

  /** All bytes received and not yet consumed. */
  pending(): string {
    return this.buf.toString('latin1');
  }

  async waitClosed(): Promise<void> {
    await this.until(() => this.closed, 'the connection to close');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Length in bytes of the first complete RESP value of `buf` (which must hold one). */
function consumedBytes(buf: Buffer): number {
  let lo = 1;
  let hi = buf.length;
  // The smallest prefix that parses to a value is exactly that value.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const p = new ReplyParser();
    p.feed(buf.subarray(0, mid));
    let ok = false;
    try {
      ok = p.next() !== undefined;
    } catch {
      ok = false;
    }
    if (ok) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
