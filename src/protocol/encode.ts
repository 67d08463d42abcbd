/**
 * Reply encoder: turns the protocol-neutral Reply model into RESP2 or RESP3 bytes.
 *
 * Replies are written byte by byte into one reusable scratch buffer and copied out once:
 * typical replies are a few hundred bytes of short ASCII strings, for which building JS strings
 * (and converting them) or summing sizes in a first pass costs more than the bytes themselves.
 * Large payloads are not copied into the scratch buffer but kept as their own parts, and a full
 * scratch buffer is flushed into a part, so the cost stays linear and the scratch buffer small.
 */
import type { FieldMapList, FieldSink, Proto, Reply } from './reply.js';

const SCRATCH_BYTES = 64 * 1024;
/** Buffers at least this long are kept as parts of their own rather than copied into the scratch buffer. */
const LARGE_BUFFER = 8 * 1024;
/**
 * Strings at least this long (in UTF-16 units) are converted on their own. Below it, the worst
 * case of 3 UTF-8 bytes per unit plus a length header must fit in the scratch buffer.
 */
const LARGE_STRING = 8 * 1024;
/** Room for a type byte, a 64-bit decimal and CRLF. */
const HEADER_ROOM = 32;

const DOLLAR = 0x24;
const STAR = 0x2a;
const PERCENT = 0x25;
const GREATER = 0x3e;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const UNDERSCORE = 0x5f;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const ZERO = 0x30;

const NULL_BULK_RESP2 = Buffer.from('$-1\r\n', 'latin1');
const NULL_ARRAY_RESP2 = Buffer.from('*-1\r\n', 'latin1');

/** Status and error lines must stay on one line: CR and LF become spaces, as redis does. */
function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]/g, ' ') : s;
}

/** True when every unit of `s` is ASCII, i.e. its UTF-8 bytes are its char codes. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** One field map's pairs, gathered so its length can be written first; reused for every map. */
class PairCollector implements FieldSink {
  n = 0;
  readonly names: string[] = [];
  readonly values: (string | number)[] = [];

  field(name: string, value: string | number): void {
    this.names[this.n] = name;
    this.values[this.n] = value;
    this.n++;
  }
}

class ReplyWriter {
  private readonly pairs = new PairCollector();
  private scratch: Buffer = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  private at = 0;
  private parts: Buffer[] = [];

  /** Forgets whatever an earlier, interrupted encoding left behind. */
  begin(): void {
    this.at = 0;
    this.parts = [];
  }

  finish(): Buffer {
    if (this.parts.length === 0) return this.copyOut();
    this.flush();
    const parts = this.parts;
    this.parts = [];
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  reply(r: Reply, proto: Proto): void {
    switch (r.t) {
      case 'simple':
        this.line(PLUS, r.v);
        return;
      case 'error':
        this.line(MINUS, r.v);
        return;
      case 'int':
        this.room(HEADER_ROOM);
        this.scratch[this.at++] = COLON;
        this.ascii(String(r.v));
        this.crlf();
        return;
      case 'bulk':
        if (typeof r.v === 'string') this.bulkString(r.v);
        else this.bulkBuffer(r.v);
        return;
      case 'nullbulk':
        if (proto === 3) this.nullResp3();
        else this.bytes(NULL_BULK_RESP2);
        return;
      case 'nullarray':
        if (proto === 3) this.nullResp3();
        else this.bytes(NULL_ARRAY_RESP2);
        return;
      case 'array':
        this.header(STAR, r.v.length);
        for (const item of r.v) this.reply(item, proto);
        return;
      case 'push':
        this.header(proto === 3 ? GREATER : STAR, r.v.length);
        for (const item of r.v) this.reply(item, proto);
        return;
      case 'map':
        if (proto === 3) this.header(PERCENT, r.v.length);
        else this.header(STAR, r.v.length * 2);
        for (const [key, value] of r.v) {
          this.reply(key, proto);
          this.reply(value, proto);
        }
        return;
      case 'strmap':
        if (proto === 3) this.header(PERCENT, r.v.length);
        else this.header(STAR, r.v.length * 2);
        for (const [key, value] of r.v) {
          this.bulkString(key);
          this.bulkString(value);
        }
        return;
      case 'fieldmaps':
        this.header(STAR, r.v.length);
        for (let i = 0; i < r.v.length; i++) this.fieldMap(r.v, i, proto);
        return;
      case 'raw':
        this.bytes(r.v);
        return;
    }
  }

  private fieldMap(list: FieldMapList, i: number, proto: Proto): void {
    const c = this.pairs;
    c.n = 0;
    list.write(i, c);
    const n = c.n;
    if (proto === 3) this.header(PERCENT, n);
    else this.header(STAR, n * 2);
    for (let k = 0; k < n; k++) {
      this.bulkString(c.names[k]!);
      const v = c.values[k]!;
      if (typeof v === 'number') this.bulkNumber(v);
      else this.bulkString(v);
    }
  }

  private copyOut(): Buffer {
    // allocUnsafe serves small sizes from Node's shared pool: far cheaper than a fresh allocation.
    const out = Buffer.allocUnsafe(this.at);
    this.scratch.copy(out, 0, 0, this.at);
    this.at = 0;
    return out;
  }

  private flush(): void {
    if (this.at > 0) this.parts.push(this.copyOut());
  }

  /** Makes sure `n` more bytes fit in the scratch buffer (n never exceeds its size). */
  private room(n: number): void {
    if (this.at + n > this.scratch.length) this.flush();
  }

  private crlf(): void {
    this.scratch[this.at++] = CR;
    this.scratch[this.at++] = LF;
  }

  /** Writes a string known to be ASCII (digits, mostly); the caller has made room. */
  private ascii(s: string): void {
    const scratch = this.scratch;
    let at = this.at;
    for (let i = 0; i < s.length; i++) scratch[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** Writes a non-negative count; the caller has made room. */
  private count(n: number): void {
    if (n < 10) this.scratch[this.at++] = ZERO + n;
    else this.ascii(String(n));
  }

  private header(type: number, n: number): void {
    this.room(HEADER_ROOM);
    this.scratch[this.at++] = type;
    this.count(n);
    this.crlf();
  }

  private nullResp3(): void {
    this.room(3);
    this.scratch[this.at++] = UNDERSCORE;
    this.crlf();
  }

  /** A simple string or an error: one line, so CR and LF are written as spaces. */
  private line(type: number, s: string): void {
    if (s.length >= LARGE_STRING || !isAscii(s)) {
      const text = Buffer.from(oneLine(s), 'utf8');
      this.room(1);
      this.scratch[this.at++] = type;
      this.bytes(text);
      this.room(2);
      this.crlf();
      return;
    }
    this.room(s.length + 3);
    const scratch = this.scratch;
    let at = this.at;
    scratch[at++] = type;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      scratch[at++] = c === CR || c === LF ? SPACE : c;
    }
    scratch[at++] = CR;
    scratch[at++] = LF;
    this.at = at;
  }

  private bulkString(s: string): void {
    if (s.length >= LARGE_STRING) {
      this.bulkBuffer(Buffer.from(s, 'utf8'));
      return;
    }
    if (isAscii(s)) {
      this.room(s.length + HEADER_ROOM);
      this.scratch[this.at++] = DOLLAR;
      this.count(s.length);
      this.crlf();
      this.ascii(s);
      this.crlf();
      return;
    }
    const length = Buffer.byteLength(s, 'utf8');
    this.room(length + HEADER_ROOM);
    this.scratch[this.at++] = DOLLAR;
    this.count(length);
    this.crlf();
    this.at += this.scratch.write(s, this.at, 'utf8');
    this.crlf();
  }

  /** A number as a bulk string, exactly as String(v) spells it; digits written directly for integers >= 0. */
  private bulkNumber(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v)) {
      this.bulkString(String(v));
      return;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    this.room(digits + HEADER_ROOM);
    const scratch = this.scratch;
    scratch[this.at++] = DOLLAR;
    this.count(digits);
    this.crlf();
    let at = this.at + digits;
    this.at = at;
    let x = v;
    do {
      scratch[--at] = ZERO + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
    this.crlf();
  }

  private bulkBuffer(b: Buffer): void {
    this.room(HEADER_ROOM);
    this.scratch[this.at++] = DOLLAR;
    this.count(b.length);
    this.crlf();
    this.bytes(b);
    this.room(2);
    this.crlf();
  }

  private bytes(b: Buffer): void {
    if (b.length >= LARGE_BUFFER) {
      this.flush();
      this.parts.push(b);
      return;
    }
    this.room(b.length);
    b.copy(this.scratch, this.at);
    this.at += b.length;
  }
}

/** Encoding is synchronous and never re-entered, so one writer serves every call. */
const writer = new ReplyWriter();

export function encodeReply(reply: Reply, proto: Proto): Buffer {
  writer.begin();
  writer.reply(reply, proto);
  return writer.finish();
}

/**
 * Encodes several replies (e.g. the answers to one pipelined batch) into a single buffer,
 * which is cheaper than encoding them one by one and concatenating.
 */
export function encodeReplies(replies: readonly Reply[], proto: Proto): Buffer {
  writer.begin();
  for (const r of replies) writer.reply(r, proto);
  return writer.finish();
}

/**
 * A request (a command and its arguments) as a RESP array of bulk strings, the form every
 * server takes: for our links to servers and peers, and for the drill's client. Lengths are
 * in UTF-8 bytes, not UTF-16 units.
 */
export function encodeRequest(args: readonly (string | number)[]): Buffer {
  return Buffer.from(encodeRequestText(args), 'utf8');
}

/** encodeRequest as a string, to be written as UTF-8 (requests gathered into one write). */
export function encodeRequestText(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}
