/**
 * Incremental parser of client requests (RESP multibulk and inline), with redis's limits and
 * error texts (networking.c processInlineBuffer / processMultibulkBuffer). Bytes may arrive
 * split anywhere; many requests may arrive in one chunk.
 *
 * Memory and CPU are bounded: a request larger than the limits is an error, never a growing
 * buffer; and while the parser waits for the end of a line or of a bulk argument, incoming
 * chunks are only queued and joined once the awaited bytes are there, so a large request fed
 * in small chunks costs linear, not quadratic, copying and scanning.
 */
import { splitArgs } from '../util/split-args.js';

export interface RequestLimits {
  /** Longest inline request line, and longest `*<n>`/`$<n>` line, in bytes (redis: 64 KiB). */
  maxInlineBytes: number;
  /**
   * Largest multibulk element count. redis 7 accepts up to INT_MAX; we keep redis 6's
   * 1024*1024 as a bound on the argv array one client can make us hold (the count line is
   * answered with "invalid multibulk length" beyond it, as in redis 6).
   */
  maxMultibulkLen: number;
  /** Largest bulk argument (proto-max-bulk-len). */
  maxBulkLen: number;
  /** Most bytes buffered for one client (client-query-buffer-limit). */
  maxQueryBuffer: number;
}

/** The message of the "query buffer limit" error (redis closes such clients without a reply). */
export const QUERY_BUFFER_LIMIT_MESSAGE = 'Protocol error: query buffer limit exceeded';

export type ParseResult =
  | { kind: 'command'; argv: string[] }
  /**
   * A protocol error: reply with `-ERR <message>` and close the connection. The message may
   * hold one byte copied from the input (`expected '$', got 'X'`): encode it as latin1.
   */
  | { kind: 'error'; message: string };

const DEFAULTS: RequestLimits = {
  maxInlineBytes: 64 * 1024,
  maxMultibulkLen: 1024 * 1024,
  maxBulkLen: 512 * 1024 * 1024,
  maxQueryBuffer: 1024 * 1024 * 1024,
};
/** Counts bigger than this before authentication are refused (redis's hard-coded values). */
const UNAUTH_MULTIBULK = 10;
const UNAUTH_BULK = 16384;
const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/**
 * redis's string2ll: an optional '-', then digits without leading zeros ("0" alone is fine),
 * within the signed 64-bit range. "+1", "01", "-0", "" and " 1" are all rejected.
 * Returns a Number (exact for every value the callers accept), or null.
 */
export function parseStrictInt(text: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(text)) return null;
  if (text.length >= 19) {
    const b = BigInt(text);
    if (b > LLONG_MAX || b < LLONG_MIN) return null;
  }
  return Number(text);
}

/** parseStrictInt over buf[start, end), without building a string for the common short case. */
function parseCount(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len === 0 || len >= 19) return parseStrictInt(buf.toString('latin1', start, end));
  let i = start;
  const neg = buf[i] === 0x2d; /* - */
  if (neg) i++;
  if (i === end) return null;
  if (buf[i] === 0x30 /* 0 */) return len === 1 ? 0 : null; // "0" only: no leading zeros, no "-0"
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

export class RequestParser {
  private readonly limits: RequestLimits;
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Chunks queued while waiting (joined to `buf` once the awaited bytes are there). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /**
   * While waiting: join and parse again once this many unparsed bytes are available, or once
   * a chunk holding `retryOn` arrives (-1: no such byte).
   */
  private retryAt = 0;
  private retryOn = -1;
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

  /** Bytes received and not yet consumed by a complete request (CLIENT LIST qbuf). */
  bufferedBytes(): number {
    return this.buf.length - this.pos + this.heldBytes;
  }

  feed(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    const unparsed = this.bufferedBytes() + chunk.length;
    if (unparsed < this.retryAt && (this.retryOn < 0 || chunk.indexOf(this.retryOn) < 0)) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return;
    }
    if (this.pos >= this.buf.length && this.held.length === 0) {
      this.buf = chunk;
    } else {
      const rest = this.pos < this.buf.length ? this.buf.subarray(this.pos) : EMPTY;
      this.buf = Buffer.concat([rest, ...this.held, chunk], unparsed);
    }
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    this.retryAt = 0;
    this.retryOn = -1;
  }

  /** The next complete request, a protocol error (final), or undefined when more bytes are needed. */
  next(): ParseResult | undefined {
    if (this.failed) return this.failed;
    for (;;) {
      if (this.bufferedBytes() > this.limits.maxQueryBuffer) return this.fail(QUERY_BUFFER_LIMIT_MESSAGE);
      if (this.held.length > 0) return undefined; // still waiting: feed() joins when it is time
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
      this.buf = EMPTY;
      this.pos = 0;
    }
    return undefined;
  }

  /** Waits until `bytes` unparsed bytes are available or a chunk holding `byte` arrives. */
  private waitFor(bytes: number, byte = -1): 'wait' {
    this.retryAt = bytes;
    this.retryOn = byte;
    return 'wait';
  }

  private fail(message: string): ParseResult {
    this.failed = { kind: 'error', message };
    this.buf = EMPTY;
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    this.argv = [];
    return this.failed;
  }

  private inline(): ParseResult | 'wait' | 'empty' {
    const nl = this.buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (this.buf.length - this.pos > this.limits.maxInlineBytes) return this.fail('Protocol error: too big inline request');
      return this.waitFor(this.limits.maxInlineBytes + 1, LF);
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const line = this.buf.toString('utf8', this.pos, end);
    this.pos = nl + 1;
    const argv = splitArgs(line);
    if (argv === null) return this.fail('Protocol error: unbalanced quotes in request');
    if (argv.length === 0) return 'empty';
    return { kind: 'command', argv };
  }

  /**
   * Finds the `\r` ending the `*<n>` / `$<n>` line at `pos` and checks there is one more byte
   * after it (redis does not look at that byte). Returns the index of the `\r`, 'wait', or a
   * failure ("too big ... count string" when 64 KiB arrived without any `\r`).
   */
  private countLineEnd(tooBig: string): number | 'wait' | ParseResult {
    const cr = this.buf.indexOf(CR, this.pos);
    if (cr < 0) {
      if (this.buf.length - this.pos > this.limits.maxInlineBytes) return this.fail(tooBig);
      return this.waitFor(this.limits.maxInlineBytes + 1, CR);
    }
    if (cr + 1 >= this.buf.length) return this.waitFor(cr - this.pos + 2);
    return cr;
  }

  private multibulkHeader(): 'ok' | 'wait' | ParseResult {
    const cr = this.countLineEnd('Protocol error: too big mbulk count string');
    if (typeof cr !== 'number') return cr;
    const n = parseCount(this.buf, this.pos + 1, cr);
    if (n === null || n > this.limits.maxMultibulkLen) return this.fail('Protocol error: invalid multibulk length');
    if (n > UNAUTH_MULTIBULK && !this.isAuthenticated()) return this.fail('Protocol error: unauthenticated multibulk length');
    this.pos = cr + 2;
    this.argsLeft = Math.max(0, n);
    this.argv = [];
    this.bulkLen = -1;
    return 'ok';
  }

  private multibulkArgs(): ParseResult | 'wait' | undefined {
    while (this.argsLeft > 0) {
      if (this.bulkLen < 0) {
        const cr = this.countLineEnd('Protocol error: too big bulk count string');
        if (typeof cr !== 'number') return cr;
        const c = this.buf[this.pos]!;
        if (c !== 0x24 /* '$' */) {
          // redis formats the byte with %c into a C string: a NUL byte ends the message there.
          return this.fail(c === 0 ? "Protocol error: expected '$', got '" : `Protocol error: expected '$', got '${String.fromCharCode(c)}'`);
        }
        const n = parseCount(this.buf, this.pos + 1, cr);
        if (n === null || n < 0 || n > this.limits.maxBulkLen) return this.fail('Protocol error: invalid bulk length');
        if (n > UNAUTH_BULK && !this.isAuthenticated()) return this.fail('Protocol error: unauthenticated bulk length');
        this.pos = cr + 2;
        this.bulkLen = n;
      }
      if (this.buf.length - this.pos < this.bulkLen + 2) return this.waitFor(this.bulkLen + 2);
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
