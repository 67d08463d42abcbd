/**
 * Incremental parser of client requests (RESP multibulk and inline) with redis 7's limits,
 * error texts and edge cases (networking.c processInlineBuffer / processMultibulkBuffer).
 * Bytes may arrive split anywhere; many requests may arrive in one chunk; the result does not
 * depend on where the input was split (except where a limit is crossed, as in redis).
 *
 * Memory and CPU are bounded: a request larger than the limits is an error, never a growing
 * buffer; and while the parser waits for the end of a line or of a bulk argument, incoming
 * chunks are only queued and joined once the awaited bytes are there, so a large request fed
 * in small chunks costs linear, not quadratic, copying and scanning.
 */
import { string2ll } from '../util/parse.js';
import { splitArgs } from '../util/split-args.js';
import { ChunkJoiner } from './chunk-joiner.js';

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
  /**
   * Most bytes held for one client (client-query-buffer-limit): bytes received and not yet
   * parsed, plus the arguments already parsed of a request still incomplete (which redis does
   * not count, but which are memory the client makes us hold all the same).
   */
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
/** Counts bigger than these before authentication are refused (redis's hard-coded values). */
const UNAUTH_MULTIBULK = 10;
const UNAUTH_BULK = 16384;

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;
const STAR = 0x2a;
const DOLLAR = 0x24;

/** strchr found nothing yet: more input may complete the line. */
const LINE_INCOMPLETE = -1;
/** A NUL byte comes before the line end: redis's strchr never gets past it. */
const LINE_BLOCKED = -2;
/** Line ends within this many bytes are looked for in JS: cheaper than a native call. */
const SHORT_SCAN = 32;

/** string2ll over buf[start, end), without building a string for the common short case. */
function parseCount(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len === 0 || len >= 16) return string2ll(buf.toString('latin1', start, end));
  let i = start;
  const negative = buf[i] === 0x2d; /* - */
  if (negative) i++;
  if (i === end) return null;
  if (buf[i] === 0x30 /* 0 */) return len === 1 ? 0 : null; // "0" only: no leading zeros, no "-0"
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/**
 * Where redis's strchr(querybuf + from, target) would stop: the index of `target`, or
 * LINE_BLOCKED when a NUL byte comes first (redis works on a C string: the request can then
 * never complete, and fails only once the buffer outgrows the line limit), or LINE_INCOMPLETE.
 */
function findLineEnd(buf: Buffer, from: number, target: number): number {
  const quickEnd = Math.min(buf.length, from + SHORT_SCAN);
  for (let i = from; i < quickEnd; i++) {
    const c = buf[i];
    if (c === target) return i;
    if (c === NUL) return LINE_BLOCKED;
  }
  if (quickEnd === buf.length) return LINE_INCOMPLETE;
  const at = buf.indexOf(target, quickEnd);
  if (at < 0) return LINE_INCOMPLETE;
  return buf.subarray(quickEnd, at).indexOf(NUL) >= 0 ? LINE_BLOCKED : at;
}

type Step = ParseResult | 'wait';

export class RequestParser {
  private readonly limits: RequestLimits;
  /** Unparsed input, and chunks held back while waiting for more. */
  private readonly input = new ChunkJoiner();
  // Progress through a multibulk request: arguments still to read, the length of the one
  // being read (-1 while its `$<n>` line is not parsed yet), and those already read.
  private argsLeft = 0;
  private bulkLen = -1;
  private argv: string[] = [];
  private argvBytes = 0;
  private failed: ParseResult | null = null;
  /**
   * Where the request being parsed began, and in which buffer (a request joined from several
   * chunks no longer has its first bytes in `input.buf`: then it has no raw bytes to show).
   */
  private reqStart = 0;
  private reqBuf: Buffer | null = null;
  /** Where the request next() returned last ended in `reqBuf`; -1 when it has no raw bytes. */
  private reqEnd = -1;

  constructor(
    limits: Partial<RequestLimits> = {},
    private readonly isAuthenticated: () => boolean = () => true,
  ) {
    this.limits = { ...DEFAULTS, ...limits };
  }

  /** Bytes received and not yet consumed by a complete request (CLIENT LIST qbuf). */
  bufferedBytes(): number {
    return this.input.unparsed;
  }

  feed(chunk: Buffer): void {
    if (!this.failed) this.input.feed(chunk);
  }

  /**
   * The bytes of the request next() returned last, when it came whole from one buffer (a view
   * into the input: valid until the next feed); null otherwise.
   */
  lastRequestBytes(): Buffer | null {
    // Made when asked (most requests are never asked about): no view per request.
    return this.reqEnd < 0 || this.reqBuf === null ? null : this.reqBuf.subarray(this.reqStart, this.reqEnd);
  }

  /**
   * Consumes the next request if its bytes are exactly `raw` (a request seen before, see
   * lastRequestBytes), without parsing it; false, consuming nothing, otherwise.
   */
  skipIfNext(raw: Buffer): boolean {
    const input = this.input;
    if (this.failed || this.argsLeft !== 0 || input.waiting) return false;
    const pos = input.pos;
    const end = pos + raw.length;
    if (end > input.buf.length || input.buf.compare(raw, 0, raw.length, pos, end) !== 0) return false;
    input.pos = end;
    this.reqEnd = -1;
    return true;
  }

  /**
   * The next complete request, a protocol error, or undefined when more bytes are needed.
   * An error is final: every later call returns it again and further input is ignored.
   */
  next(): ParseResult | undefined {
    if (this.failed) return this.failed;
    for (;;) {
      if (this.bufferedBytes() + this.argvBytes > this.limits.maxQueryBuffer) return this.fail(QUERY_BUFFER_LIMIT_MESSAGE);
      if (this.input.waiting) return undefined; // feed() joins the held chunks when it is time
      if (this.argsLeft === 0) {
        if (this.input.pos >= this.input.buf.length) return this.compact();
        this.reqStart = this.input.pos;
        this.reqBuf = this.input.buf;
        this.reqEnd = -1;
        if (this.input.buf[this.input.pos] === STAR) {
          const r = this.multibulkHeader();
          if (r === 'wait') return this.compact();
          if (r !== undefined) return r;
          if (this.argsLeft === 0) continue; // *0 or a negative count: nothing to run
        } else {
          const r = this.inline();
          if (r === 'wait') return this.compact();
          if (r === undefined) continue; // an empty line
          return this.completed(r);
        }
      }
      const r = this.multibulkArgs();
      if (r === 'wait') return this.compact();
      return this.completed(r);
    }
  }

  /** Notes the raw bytes of a request just completed (see lastRequestBytes). */
  private completed(r: ParseResult): ParseResult {
    this.reqEnd = r.kind === 'command' && this.reqBuf === this.input.buf ? this.input.pos : -1;
    return r;
  }

  /** Drops a fully consumed buffer rather than keep a socket chunk alive for nothing. */
  private compact(): undefined {
    this.input.releaseIfConsumed();
    return undefined;
  }

  /** Waits until `bytes` unparsed bytes are available or a chunk holding `byte` arrives. */
  private waitFor(bytes: number, byte = -1): 'wait' {
    this.input.waitFor(bytes, byte);
    return 'wait';
  }

  private fail(message: string): ParseResult {
    this.failed = { kind: 'error', message };
    this.input.clear();
    this.argv = [];
    this.argvBytes = 0;
    return this.failed;
  }

  /**
   * Handles a line end that was not found: an error once more than the line limit is
   * buffered, else a wait for the byte that could end the line (or, when a NUL byte hides
   * the line end for good, for the limit to be crossed).
   */
  private noLineEnd(found: number, target: number, tooBig: string): Step {
    if (this.input.buf.length - this.input.pos > this.limits.maxInlineBytes) return this.fail(tooBig);
    return this.waitFor(this.limits.maxInlineBytes + 1, found === LINE_BLOCKED ? -1 : target);
  }

  /** An inline request; undefined for an empty line, which redis skips. */
  private inline(): Step | undefined {
    const nl = findLineEnd(this.input.buf, this.input.pos, LF);
    if (nl < 0) return this.noLineEnd(nl, LF, 'Protocol error: too big inline request');
    let end = nl;
    if (end > this.input.pos && this.input.buf[end - 1] === CR) end--;
    const line = end > this.input.pos ? this.input.buf.toString('utf8', this.input.pos, end) : '';
    this.input.pos = nl + 1;
    const argv = splitArgs(line);
    if (argv === null) return this.fail('Protocol error: unbalanced quotes in request');
    if (argv.length === 0) return undefined;
    return { kind: 'command', argv };
  }

  /**
   * Finds the `\r` ending the `*<n>` / `$<n>` line at `pos` and checks there is one more byte
   * after it (redis skips that byte without looking at it). Returns the index of the `\r`.
   */
  private countLineEnd(tooBig: string): number | Step {
    const cr = findLineEnd(this.input.buf, this.input.pos, CR);
    if (cr < 0) return this.noLineEnd(cr, CR, tooBig);
    if (cr + 1 >= this.input.buf.length) return this.waitFor(cr - this.input.pos + 2);
    return cr;
  }

  /** Reads `*<n>`; undefined when it was accepted. */
  private multibulkHeader(): Step | undefined {
    const cr = this.countLineEnd('Protocol error: too big mbulk count string');
    if (typeof cr !== 'number') return cr;
    const n = parseCount(this.input.buf, this.input.pos + 1, cr);
    if (n === null || n > this.limits.maxMultibulkLen) return this.fail('Protocol error: invalid multibulk length');
    if (n > UNAUTH_MULTIBULK && !this.isAuthenticated()) return this.fail('Protocol error: unauthenticated multibulk length');
    this.input.pos = cr + 2;
    this.argsLeft = Math.max(0, n);
    this.argv = [];
    this.argvBytes = 0;
    this.bulkLen = -1;
    return undefined;
  }

  private multibulkArgs(): Step {
    const buf = this.input.buf;
    while (this.argsLeft > 0) {
      if (this.bulkLen < 0) {
        const cr = this.countLineEnd('Protocol error: too big bulk count string');
        if (typeof cr !== 'number') return cr;
        const first = buf[this.input.pos]!;
        // A NUL byte cannot be here: it would have hidden the line end.
        if (first !== DOLLAR) return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(first)}'`);
        const n = parseCount(buf, this.input.pos + 1, cr);
        if (n === null || n < 0 || n > this.limits.maxBulkLen) return this.fail('Protocol error: invalid bulk length');
        if (n > UNAUTH_BULK && !this.isAuthenticated()) return this.fail('Protocol error: unauthenticated bulk length');
        this.input.pos = cr + 2;
        this.bulkLen = n;
      }
      // Like redis, the two bytes after the argument are skipped unseen (normally CRLF).
      if (buf.length - this.input.pos < this.bulkLen + 2) return this.waitFor(this.bulkLen + 2);
      this.argv.push(this.bulkLen === 0 ? '' : buf.toString('utf8', this.input.pos, this.input.pos + this.bulkLen));
      this.argvBytes += this.bulkLen;
      this.input.pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    const argv = this.argv;
    this.argv = [];
    this.argvBytes = 0;
    return { kind: 'command', argv };
  }
}
