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

  feed(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
  }

  next(): RespValue | undefined {
    for (;;) {
      if (this.pos >= this.buf.length) return undefined;
      const start = this.pos;
      const v = this.value();
      if (v === INCOMPLETE) {
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
        if (this.buf.length - this.pos < len + 2) return INCOMPLETE;
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
        return head === 't' ? 1 : 0;
      case ',':
        return Number(head);
      case '(':
        return BigInt(head);
      default:
        throw new RespProtocolError(`unexpected type byte '${type}'`);
    }
  }
}
