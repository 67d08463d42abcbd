/**
 * Incremental parser of client requests (RESP multibulk and inline), with redis's limits and
 * error texts. Bytes may arrive split anywhere; many requests may arrive in one chunk.
 * Memory is bounded: a request larger than the limits is an error, never a growing buffer.
 */
import { splitArgs } from '../util/split-args.js';

export interface RequestLimits {
  /** Longest inline request line, in bytes (redis: 64 KiB). */
  maxInlineBytes: number;
  /** Largest multibulk element count (redis: 1024*1024; 10 before authentication). */
  maxMultibulkLen: number;
  /** Largest bulk argument (proto-max-bulk-len; 16384 before authentication). */
  maxBulkLen: number;
  /** Most bytes buffered for one client (client-query-buffer-limit). */
  maxQueryBuffer: number;
}

export type ParseResult =
  | { kind: 'command'; argv: string[] }
  /** A protocol error: reply with `-<message>` and close the connection. */
  | { kind: 'error'; message: string };

const DEFAULTS: RequestLimits = {
  maxInlineBytes: 64 * 1024,
  maxMultibulkLen: 1024 * 1024,
  maxBulkLen: 512 * 1024 * 1024,
  maxQueryBuffer: 1024 * 1024 * 1024,
};
const MAX_COUNT_LINE = 64 * 1024;
const UNAUTH_MULTIBULK = 10;
const UNAUTH_BULK = 16384;

export class RequestParser {
  private readonly limits: RequestLimits;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks held back while a large bulk body is incomplete (joined once, when complete). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  // Multibulk progress.
  private argsLeft = 0;
  private bulkLen = -1;
  private argv: string[] = [];
  private failed: ParseResult | null = null;

  constructor(
    limits: Partial<RequestLimits> = {},
    private readonly isAuthenticated: () => boolean = () => true,
  ) {
    this.limits = { ...DEFAULTS, ...limits };
  }

  bufferedBytes(): number {
    return this.buf.length - this.pos + this.heldBytes;
  }

  feed(chunk: Buffer): void {
    if (this.failed) return;
    if (this.bulkLen >= 0) {
      const need = this.bulkLen + 2;
      if (this.buf.length - this.pos + this.heldBytes + chunk.length < need) {
        this.held.push(chunk);
        this.heldBytes += chunk.length;
        return;
      }
    }
    const parts = [this.pos < this.buf.length ? this.buf.subarray(this.pos) : Buffer.alloc(0), ...this.held, chunk];
    this.buf = Buffer.concat(parts);
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
  }

  next(): ParseResult | undefined {
    if (this.failed) return this.failed;
    for (;;) {
      if (this.bufferedBytes() > this.limits.maxQueryBuffer) return this.fail('Protocol error: query buffer limit exceeded');
      if (this.argsLeft === 0) {
        if (this.pos >= this.buf.length) return this.compact();
        if (this.buf[this.pos] === 0x2a /* '*' */) {
          const r = this.multibulkHeader();
          if (r === 'wait') return this.compact();
          if (r !== 'ok') return r;
          if (this.argsLeft === 0) continue; // *0 or negative: nothing to run
        } else {
          const r = this.inline();
          if (r === 'wait') return this.compact();
          if (r === 'empty') continue;
          return r;
        }
      }
      const r = this.multibulkArgs();
      if (r === 'wait') return this.compact();
      if (r) return r;
    }
  }

  private compact(): undefined {
    if (this.pos > 0 && this.pos >= this.buf.length) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
    return undefined;
  }

  private fail(message: string): ParseResult {
    this.failed = { kind: 'error', message };
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    return this.failed;
  }

  private inline(): ParseResult | 'wait' | 'empty' {
    const nl = this.buf.indexOf(0x0a, this.pos);
    if (nl < 0) {
      if (this.buf.length - this.pos > this.limits.maxInlineBytes) return this.fail('Protocol error: too big inline request');
      return 'wait';
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === 0x0d) end--;
    const line = this.buf.toString('utf8', this.pos, end);
    this.pos = nl + 1;
    const argv = splitArgs(line);
    if (argv === null) return this.fail('Protocol error: unbalanced quotes in request');
    if (argv.length === 0) return 'empty';
    return { kind: 'command', argv };
  }

  /** Reads a `<prefix><integer>\r\n` line; 'wait' if incomplete. */
  private countLine(tooBig: string): { n: number | null } | 'wait' | ParseResult {
    const nl = this.buf.indexOf(0x0d, this.pos);
    if (nl < 0 || nl + 1 >= this.buf.length) {
      if (this.buf.length - this.pos > MAX_COUNT_LINE) return this.fail(tooBig);
      return 'wait';
    }
    if (nl - this.pos > MAX_COUNT_LINE) return this.fail(tooBig);
    const text = this.buf.toString('latin1', this.pos + 1, nl);
    this.pos = nl + 2;
    return { n: /^-?\d{1,19}$/.test(text) ? Number(text) : null };
  }

  private multibulkHeader(): 'ok' | 'wait' | ParseResult {
    const start = this.pos;
    const r = this.countLine('Protocol error: too big mbulk count string');
    if (r === 'wait') {
      this.pos = start;
      return 'wait';
    }
    if ('kind' in r) return r;
    const n = r.n;
    if (n === null || n > this.limits.maxMultibulkLen) return this.fail('Protocol error: invalid multibulk length');
    if (n > UNAUTH_MULTIBULK && !this.isAuthenticated()) return this.fail('Protocol error: unauthenticated multibulk length');
    this.argsLeft = Math.max(0, n);
    this.argv = [];
    this.bulkLen = -1;
    return 'ok';
  }

  private multibulkArgs(): ParseResult | 'wait' | undefined {
    while (this.argsLeft > 0) {
      if (this.bulkLen < 0) {
        if (this.pos >= this.buf.length) return 'wait';
        const c = this.buf[this.pos]!;
        if (c !== 0x24 /* '$' */) return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(c)}'`);
        const start = this.pos;
        const r = this.countLine('Protocol error: too big bulk count string');
        if (r === 'wait') {
          this.pos = start;
          return 'wait';
        }
        if ('kind' in r) return r;
        const n = r.n;
        if (n === null || n < 0 || n > this.limits.maxBulkLen) return this.fail('Protocol error: invalid bulk length');
        if (n > UNAUTH_BULK && !this.isAuthenticated()) return this.fail('Protocol error: unauthenticated bulk length');
        this.bulkLen = n;
      }
      if (this.buf.length - this.pos < this.bulkLen + 2) return 'wait';
      this.argv.push(this.buf.toString('utf8', this.pos, this.pos + this.bulkLen));
      this.pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    const argv = this.argv;
    this.argv = [];
    return { kind: 'command', argv };
  }
}
