/**
 * Incremental parser of replies from redis servers and peer sentinels (RESP2 and RESP3).
 * `next()` returns a complete value or undefined when more bytes are needed; malformed input
 * throws RespProtocolError, after which the connection must be dropped.
 */
export class RespError {
  constructor(readonly message: string) {}
}

/** A RESP3 out-of-band push frame (`>`). */
export class RespPush {
  constructor(readonly items: RespValue[]) {}
}

export type RespValue = string | number | bigint | null | RespError | RespPush | RespValue[];

export class RespProtocolError extends Error {
  readonly code = 'SENTINEL_RESP_PROTOCOL';
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

const MAX_BULK = 512 * 1024 * 1024;
const MAX_LINE = 64 * 1024;
const INCOMPLETE = Symbol('incomplete');
type Parsed = RespValue | typeof INCOMPLETE | typeof SKIP;
const SKIP = Symbol('skip'); // an attribute frame: parsed and dropped

export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks queued while a known number of bytes is still missing (joined once they are all in). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Unparsed bytes needed before parsing is worth trying again (0: try at every chunk). */
  private needed = 0;
  /** While parsing: the buffer offset a bulk string found incomplete would end at. */
  private bulkEnd = 0;

  feed(chunk: Buffer): void {
    const unparsed = this.buf.length - this.pos + this.heldBytes + chunk.length;
    if (unparsed < this.needed) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return;
    }
    this.buf =
      this.pos < this.buf.length || this.held.length > 0
        ? Buffer.concat([this.buf.subarray(this.pos), ...this.held, chunk], unparsed)
        : chunk;
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    this.needed = 0;
  }

  next(): RespValue | undefined {
    for (;;) {
      if (this.held.length > 0 || this.pos >= this.buf.length) return undefined;
      const start = this.pos;
      this.bulkEnd = 0;
      const v = this.value();
      if (v === INCOMPLETE) {
        // A reply cut inside a large bulk string: wait for all of its bytes before parsing the
        // reply again from its start, so a big reply in many chunks is not re-parsed and
        // re-copied at every chunk.
        if (this.bulkEnd > 0) this.needed = this.bulkEnd - start;
        this.pos = start;
        return undefined;
      }
      if (v === SKIP) continue;
      return v;
    }
  }

  private line(): string | typeof INCOMPLETE {
    const end = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (end < 0) {
      if (this.buf.length - this.pos > MAX_LINE) throw new RespProtocolError('line too long');
      return INCOMPLETE;
    }
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  private int(s: string): number {
    if (!/^-?\d+$/.test(s)) throw new RespProtocolError(`bad integer '${s.slice(0, 20)}'`);
    return Number(s);
  }

  private aggregate(n: number): RespValue[] | typeof INCOMPLETE {
    const out: RespValue[] = [];
    while (out.length < n) {
      const v = this.value();
      if (v === INCOMPLETE) return INCOMPLETE;
      if (v === SKIP) continue;
      out.push(v);
    }
    return out;
  }

  private value(): Parsed {
    if (this.pos >= this.buf.length) return INCOMPLETE;
    const type = String.fromCharCode(this.buf[this.pos]!);
    this.pos++;
    const head = this.line();
    if (head === INCOMPLETE) return INCOMPLETE;
    switch (type) {
      case '+':
        return head;
      case '-':
        return new RespError(head);
      case ':': {
        const n = this.int(head);
        return Number.isSafeInteger(n) ? n : BigInt(head);
      }
      case '$':
      case '=':
      case '!': {
        const len = this.int(head);
        if (len < 0) return null;
        if (len > MAX_BULK) throw new RespProtocolError('bulk too large');
        if (this.buf.length - this.pos < len + 2) {
          this.bulkEnd = this.pos + len + 2;
          return INCOMPLETE;
        }
        if (this.buf[this.pos + len] !== 0x0d || this.buf[this.pos + len + 1] !== 0x0a) throw new RespProtocolError('bulk string not followed by CRLF');
        let s = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len + 2;
        if (type === '=') s = s.slice(4); // verbatim: drop the "txt:" format prefix
        return type === '!' ? new RespError(s) : s;
      }
      case '*':
      case '~': {
        const n = this.int(head);
        if (n < 0) return null;
        return this.aggregate(n);
      }
      case '%': {
        const n = this.int(head);
        return this.aggregate(n * 2);
      }
      case '>': {
        const items = this.aggregate(this.int(head));
        return items === INCOMPLETE ? INCOMPLETE : new RespPush(items);
      }
      case '|': {
        const attrs = this.aggregate(this.int(head) * 2);
        return attrs === INCOMPLETE ? INCOMPLETE : SKIP;
      }
      case '_':
        return null;
      case '#':
        if (head !== 't' && head !== 'f') throw new RespProtocolError(`bad boolean '${head.slice(0, 20)}'`);
        return head === 't' ? 1 : 0;
      case ',': {
        // RESP3 doubles: decimal or exponent notation, or inf / -inf / nan.
        const l = head.toLowerCase();
        if (l === 'inf' || l === '+inf') return Infinity;
        if (l === '-inf') return -Infinity;
        if (l === 'nan') return NaN;
        if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(head)) throw new RespProtocolError(`bad double '${head.slice(0, 20)}'`);
        return Number(head);
      }
      case '(':
        if (!/^-?\d+$/.test(head)) throw new RespProtocolError(`bad big number '${head.slice(0, 20)}'`);
        return BigInt(head);
      default:
        throw new RespProtocolError(`unexpected type byte '${type}'`);
    }
  }
}
