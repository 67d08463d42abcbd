/**
 * Incremental parser of replies from redis servers and peer sentinels (RESP2 and RESP3).
 *
 * Usage: `feed(chunk)` whenever bytes arrive, then call `next()` until it returns undefined.
 * `next()` returns one complete top-level value at a time. Malformed input throws
 * RespProtocolError: the stream cannot be resynchronised, so the caller must drop the
 * connection; the parser stays failed (every later `next()` throws the same error).
 *
 * Value mapping: simple and bulk strings -> string; `$-1`, `*-1` and `_` -> null; integers ->
 * number (bigint outside the safe range); arrays and sets -> arrays; maps -> flat arrays of 2n
 * (key, value, ...); pushes -> RespPush; errors (`-` and `!`) -> RespError; doubles -> number;
 * booleans -> 1 / 0; verbatim strings -> the text without its `txt:` prefix; big numbers ->
 * bigint; attributes are parsed and dropped.
 *
 * The parser is resumable: elements of an aggregate are consumed as they complete and kept on
 * an explicit stack, so a large reply arriving in many chunks is parsed once; while a line end
 * or a bulk body is awaited, chunks are only queued, and joined once the awaited bytes are in.
 */
import { RespProtocolError } from '../util/errors.js';
import { ChunkJoiner } from './chunk-joiner.js';
export class RespError {
  constructor(readonly message: string) {}
}

/** A RESP3 out-of-band push frame (`>`). */
export class RespPush {
  constructor(readonly items: RespValue[]) {}
}

export type RespValue = string | number | bigint | null | RespError | RespPush | RespValue[];


export interface ReplyLimits {
  /** Longest bulk string (redis's proto-max-bulk-len default). */
  maxBulkLen: number;
  /** Longest line: a simple string, an error, a number, a length header. */
  maxLineBytes: number;
  /** Most bytes one reply may span, nested elements included. */
  maxReplyBytes: number;
  /** Deepest nesting of aggregates (consumers walk replies recursively). */
  maxDepth: number;
}

const DEFAULT_LIMITS: ReplyLimits = {
  maxBulkLen: 512 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
  maxReplyBytes: 1024 * 1024 * 1024,
  maxDepth: 128,
};

const CR = 0x0d;
const LF = 0x0a;

/** The element at `pos` is not complete yet (nothing was consumed). */
const INCOMPLETE = Symbol('incomplete');
/** An aggregate header was consumed and its frame pushed: its elements follow. */
const OPENED = Symbol('opened');
/** A complete attribute: parsed and dropped. */
const SKIP = Symbol('skip');

type Step = RespValue | typeof INCOMPLETE | typeof OPENED | typeof SKIP;

interface Frame {
  readonly kind: 'array' | 'push' | 'attribute';
  /** Elements to collect (2n for maps and attributes). */
  readonly size: number;
  readonly items: RespValue[];
}

/** The type bytes of RESP2 and RESP3 (streamed strings and aggregates, `?`, are not supported). */
const TYPE_BYTES = new Uint8Array(256);
for (const c of '+-:$=!*~>%|_#,(') TYPE_BYTES[c.charCodeAt(0)] = 1;

const INTEGER = /^-?[0-9]+$/;
const DOUBLE = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

/** Byte searches this short are cheaper in JS than through a native call. */
const SHORT_SCAN = 16;

/** The index of the first `byte` at or after `from`, or -1. */
function findByte(buf: Buffer, from: number, byte: number): number {
  const quickEnd = Math.min(buf.length, from + SHORT_SCAN);
  for (let i = from; i < quickEnd; i++) if (buf[i] === byte) return i;
  return quickEnd === buf.length ? -1 : buf.indexOf(byte, quickEnd);
}

/**
 * The decimal integer in buf[from, end) when it is short (at most 15 digits, so exact), else
 * null: the caller then parses the text, which also reports what is wrong with it.
 */
function shortInteger(buf: Buffer, from: number, end: number): number | null {
  let i = from;
  const negative = buf[i] === 0x2d; /* - */
  if (negative) i++;
  if (i === end || end - i > 15) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? 0 - n : n; // never -0
}

function describe(text: string): string {
  return JSON.stringify(text.length > 20 ? text.slice(0, 20) + '...' : text);
}

export class ReplyParser {
  private readonly limits: ReplyLimits;
  /** Unparsed input, and chunks held back while waiting for more. */
  private readonly input = new ChunkJoiner();
  /** Aggregates of the current reply still collecting elements, innermost last. */
  private readonly stack: Frame[] = [];
  /** Bytes already consumed by the current, unfinished reply. */
  private replyBytes = 0;
  private failure: RespProtocolError | null = null;

  constructor(limits: Partial<ReplyLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes received and not parsed yet. */
  bufferedBytes(): number {
    return this.input.unparsed;
  }

  /** `borrowed`: see ChunkJoiner.feed; call ownRest() once done reading what it gave. */
  feed(chunk: Buffer, borrowed = false): void {
    if (!this.failure) this.input.feed(chunk, borrowed);
  }

  /** Copies the part of a borrowed chunk not parsed yet (see ChunkJoiner.ownRest). */
  ownRest(): void {
    this.input.ownRest();
  }

  /** The next complete reply, or undefined when more bytes are needed; throws RespProtocolError. */
  next(): RespValue | undefined {
    if (this.failure) throw this.failure;
    try {
      return this.parse();
    } catch (err) {
      if (!(err instanceof RespProtocolError)) throw err;
      this.failure = err;
      this.input.clear();
      this.stack.length = 0;
      throw err;
    }
  }

  private parse(): RespValue | undefined {
    for (;;) {
      if (this.replyBytes + this.bufferedBytes() > this.limits.maxReplyBytes) throw new RespProtocolError('reply too large');
      if (this.input.waiting) return undefined; // feed() joins the held chunks when it is time
      if (this.input.pos >= this.input.buf.length) {
        this.input.releaseIfConsumed();
        return undefined;
      }
      const start = this.input.pos;
      const step = this.element();
      if (step === INCOMPLETE) return undefined;
      this.replyBytes += this.input.pos - start;
      if (step === OPENED) continue;
      const done = this.complete(step);
      if (done === undefined) continue;
      this.replyBytes = 0;
      if (done === SKIP) continue; // a top-level attribute
      return done;
    }
  }

  /**
   * Hands a complete element to the innermost open aggregate, closing every aggregate this
   * completes. Returns the finished top-level value (or SKIP), or undefined while the reply is
   * still open.
   */
  private complete(element: RespValue | typeof SKIP): RespValue | typeof SKIP | undefined {
    let value = element;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return value;
      // An attribute annotates the element after it; it does not count as an element itself.
      if (value === SKIP) return undefined;
      top.items.push(value);
      if (top.items.length < top.size) return undefined;
      this.stack.pop();
      value = top.kind === 'push' ? new RespPush(top.items) : top.kind === 'attribute' ? SKIP : top.items;
    }
  }

  /** Waits until `bytes` unparsed bytes are available, or (lineEnd) a chunk holding LF arrives. */
  private wait(bytes: number, lineEnd: boolean): typeof INCOMPLETE {
    this.input.waitFor(bytes, lineEnd ? LF : -1);
    return INCOMPLETE;
  }

  /** The end (index of the CR of CRLF) of the line starting at `from`, or -1 when it is not all here. */
  private lineEnd(from: number): number {
    const buf = this.input.buf;
    let cr = from;
    for (;;) {
      cr = findByte(buf, cr, CR);
      if (cr < 0 || cr + 1 >= buf.length) break;
      if (buf[cr + 1] === LF) {
        if (cr - from > this.limits.maxLineBytes) throw new RespProtocolError('line too long');
        return cr;
      }
      cr++; // a lone CR belongs to the line
    }
    if (buf.length - from > this.limits.maxLineBytes) throw new RespProtocolError('line too long');
    return -1;
  }

  private integer(text: string): number {
    if (!INTEGER.test(text)) throw new RespProtocolError(`bad integer ${describe(text)}`);
    return Number(text);
  }

  /** A length header: -1 (null) or more; anything else (incl. RESP3 streamed `?`) is refused. */
  private length(buf: Buffer, from: number, end: number): number {
    const short = shortInteger(buf, from, end);
    if (short !== null && short >= -1) return short;
    const text = buf.toString('latin1', from, end);
    const n = this.integer(text);
    if (n < -1 || !Number.isSafeInteger(n)) throw new RespProtocolError(`bad length ${describe(text)}`);
    return n;
  }

  /** Parses the element at `pos`, consuming it unless INCOMPLETE. */
  private element(): Step {
    const buf = this.input.buf;
    const start = this.input.pos;
    const type = buf[start]!;
    // Checked before the line is awaited: garbage is refused at once, not after a timeout.
    if (TYPE_BYTES[type] !== 1) throw new RespProtocolError(`unexpected type byte 0x${type.toString(16).padStart(2, '0')}`);
    const end = this.lineEnd(start + 1);
    if (end < 0) return this.wait(this.limits.maxLineBytes + 2, true);
    const next = end + 2;
    switch (type) {
      case 0x2b /* + */:
        this.input.pos = next;
        return buf.toString('utf8', start + 1, end);
      case 0x2d /* - */:
        this.input.pos = next;
        return new RespError(buf.toString('utf8', start + 1, end));
      case 0x3a /* : */: {
        const short = shortInteger(buf, start + 1, end);
        this.input.pos = next;
        if (short !== null) return short;
        const text = buf.toString('latin1', start + 1, end);
        const n = this.integer(text);
        return Number.isSafeInteger(n) ? n : BigInt(text);
      }
      case 0x24 /* $ */:
      case 0x3d /* = */:
      case 0x21 /* ! */: {
        const len = this.length(buf, start + 1, end);
        if (len < 0) {
          this.input.pos = next;
          return null;
        }
        if (len > this.limits.maxBulkLen) throw new RespProtocolError(`bulk of ${len} bytes is too large`);
        if (buf.length - next < len + 2) return this.wait(next - start + len + 2, false);
        if (buf[next + len] !== CR || buf[next + len + 1] !== LF) throw new RespProtocolError('bulk string not followed by CRLF');
        this.input.pos = next + len + 2;
        if (type === 0x24) return buf.toString('utf8', next, next + len);
        if (type === 0x21) return new RespError(buf.toString('utf8', next, next + len));
        // Verbatim: a 3-byte format ("txt", "mkd") and ':' come before the text.
        if (len < 4 || buf[next + 3] !== 0x3a) throw new RespProtocolError('verbatim string without its format prefix');
        return buf.toString('utf8', next + 4, next + len);
      }
      case 0x2a /* * */:
      case 0x7e /* ~ */:
      case 0x3e /* > */:
      case 0x25 /* % */:
      case 0x7c /* | */: {
        const n = this.length(buf, start + 1, end);
        this.input.pos = next;
        if (n < 0) {
          if (type === 0x7c) throw new RespProtocolError('null attribute');
          return null;
        }
        const kind = type === 0x3e ? 'push' : type === 0x7c ? 'attribute' : 'array';
        const size = type === 0x25 || type === 0x7c ? n * 2 : n;
        if (size === 0) return kind === 'push' ? new RespPush([]) : kind === 'attribute' ? SKIP : [];
        if (this.stack.length >= this.limits.maxDepth) throw new RespProtocolError('aggregates nested too deep');
        this.stack.push({ kind, size, items: [] });
        return OPENED;
      }
      case 0x5f /* _ */:
        if (end !== start + 1) throw new RespProtocolError(`bad null ${describe(buf.toString('latin1', start + 1, end))}`);
        this.input.pos = next;
        return null;
      case 0x23 /* # */: {
        const text = buf.toString('latin1', start + 1, end);
        if (text !== 't' && text !== 'f') throw new RespProtocolError(`bad boolean ${describe(text)}`);
        this.input.pos = next;
        return text === 't' ? 1 : 0;
      }
      case 0x2c /* , */: {
        const text = buf.toString('latin1', start + 1, end);
        this.input.pos = next;
        const lower = text.toLowerCase();
        if (lower === 'inf' || lower === '+inf') return Infinity;
        if (lower === '-inf') return -Infinity;
        if (lower === 'nan' || lower === '-nan') return NaN;
        if (!DOUBLE.test(text)) throw new RespProtocolError(`bad double ${describe(text)}`);
        return Number(text);
      }
      case 0x28 /* ( */: {
        const text = buf.toString('latin1', start + 1, end);
        if (!INTEGER.test(text)) throw new RespProtocolError(`bad big number ${describe(text)}`);
        this.input.pos = next;
        return BigInt(text);
      }
      default:
        throw new RespProtocolError(`unexpected type byte 0x${type.toString(16).padStart(2, '0')}`);
    }
  }
}
