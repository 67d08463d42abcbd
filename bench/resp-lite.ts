/**
 * A small RESP2 codec for the benchmarks (the model Redis server and the benchmark clients),
 * independent of src/protocol so that the benchmarks do not measure, or depend on, the code
 * under test.
 *
 *   RespReader: incremental parser. Feed it socket chunks; `next()` returns one complete
 *     top-level value at a time (undefined when it needs more bytes). Arrays nest; an element
 *     that arrives in pieces is resumed, so a multi-megabyte reply in 64 KiB chunks is parsed
 *     once (chunks are only joined while a single element is incomplete). With `inline: true`
 *     a top-level line not starting with '*' is read as an inline command (words split on
 *     spaces), as servers accept them.
 *   encode helpers: simple, error, integer, bulk, array (of already-encoded parts), and
 *     command (a request as a multibulk of bulk strings).
 *
 * Values: simple and bulk strings are JS strings (UTF-8), integers numbers, null bulk/array
 * null, errors RespError.
 */

export class RespError {
  constructor(readonly message: string) {}
}

export type RespValue = string | number | null | RespError | RespValue[];

/** Returned by the scalar reader when the buffer ends inside the element. */
const NEED_MORE = Symbol('need-more');

interface Frame {
  items: RespValue[];
  left: number;
}

export class RespReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks that arrived while an element was incomplete and `need` bytes were not there yet. */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Bytes (from `pos`) the incomplete element needs at least; 0 when unknown. */
  private need = 0;
  private readonly stack: Frame[] = [];

  constructor(private readonly opts: { inline?: boolean; maxInline?: number } = {}) {}

  feed(chunk: Buffer): void {
    const have = this.buf.length - this.pos + this.pendingLen + chunk.length;
    if (this.need > 0 && have < this.need) {
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
      return;
    }
    const parts = this.pos < this.buf.length ? [this.buf.subarray(this.pos), ...this.pending, chunk] : [...this.pending, chunk];
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.pos = 0;
    this.pending = [];
    this.pendingLen = 0;
    this.need = 0;
  }

  /** Bytes buffered and not yet consumed. */
  buffered(): number {
    return this.buf.length - this.pos + this.pendingLen;
  }

  next(): RespValue | undefined {
    if (this.need > 0) return undefined;
    for (;;) {
      if (this.pos >= this.buf.length) return undefined;
      const start = this.pos;
      let value: RespValue;
      const t = this.buf[this.pos];
      if (t === 0x2a /* * */) {
        const line = this.readLine();
        if (line === NEED_MORE) return undefined;
        const n = Number(line.slice(1));
        if (!Number.isInteger(n)) throw new Error(`bad array length ${JSON.stringify(line)}`);
        if (n > 0) {
          this.stack.push({ items: [], left: n });
          continue;
        }
        value = n < 0 ? null : [];
      } else if (this.stack.length === 0 && this.opts.inline && t !== 0x24 && t !== 0x2b && t !== 0x2d && t !== 0x3a) {
        const line = this.readLine();
        if (line === NEED_MORE) {
          if (this.buf.length - this.pos > (this.opts.maxInline ?? 64 * 1024)) throw new Error('inline request too long');
          return undefined;
        }
        value = line.split(' ').filter((w) => w.length > 0);
        if ((value as string[]).length === 0) continue; // an empty line is skipped, as redis does
      } else {
        const v = this.readScalar();
        if (v === NEED_MORE) {
          this.pos = start;
          return undefined;
        }
        value = v;
      }
      // Attach to the enclosing arrays; return once a top-level value is complete.
      for (;;) {
        const top = this.stack[this.stack.length - 1];
        if (!top) return value;
        top.items.push(value);
        if (--top.left > 0) break;
        this.stack.pop();
        value = top.items;
      }
    }
  }

  /** One CRLF-terminated line from `pos` (without the CRLF), advancing past it. */
  private readLine(): string | typeof NEED_MORE {
    const end = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (end < 0) return NEED_MORE;
    const line = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 2;
    return line;
  }

  private readScalar(): RespValue | typeof NEED_MORE {
    const line = this.readLine();
    if (line === NEED_MORE) return NEED_MORE;
    const rest = line.slice(1);
    switch (line[0]) {
      case '+':
        return rest;
      case '-':
        return new RespError(rest);
      case ':':
        return Number(rest);
      case '$': {
        const len = Number(rest);
        if (len < 0) return null;
        if (this.buf.length - this.pos < len + 2) {
          // Nothing to do until the whole bulk string is there, counted from its header (where
          // `next` puts `pos` back): `feed` only queues the chunks until then.
          const headerStart = this.pos - Buffer.byteLength(line) - 2;
          this.need = this.pos + len + 2 - headerStart;
          return NEED_MORE;
        }
        const s = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len + 2;
        return s;
      }
      default:
        throw new Error(`unexpected RESP type byte ${JSON.stringify(line[0])}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding.

export const simple = (s: string): string => `+${s}\r\n`;
export const error = (s: string): string => `-${s}\r\n`;
export const integer = (n: number): string => `:${n}\r\n`;
export const bulk = (s: string | null): string => (s === null ? '$-1\r\n' : `$${Buffer.byteLength(s)}\r\n${s}\r\n`);
/** An array of already-encoded elements. */
export const array = (parts: string[]): string => `*${parts.length}\r\n${parts.join('')}`;
export const bulkArray = (items: string[]): string => array(items.map(bulk));
/** A request: a multibulk of bulk strings. */
export const command = (...args: string[]): string => bulkArray(args);

/** Field/value pairs of a flat RESP2 map reply (SENTINEL MASTER, one entry of SENTINEL MASTERS). */
export function pairs(v: RespValue): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(v)) return m;
  for (let i = 0; i + 1 < v.length; i += 2) m.set(String(v[i]), String(v[i + 1]));
  return m;
}
