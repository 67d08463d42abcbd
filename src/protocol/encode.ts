/**
 * Reply encoder: turns the protocol-neutral Reply model into RESP2 or RESP3 bytes.
 * Text is accumulated in one string and converted once (Buffer parts are spliced in), so deep
 * or large replies cost linear time.
 */
import type { Proto, Reply } from './reply.js';

const CRLF = '\r\n';

/** Status and error lines must stay on one line: CR and LF become spaces, as redis does. */
function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]/g, ' ') : s;
}

/**
 * UTF-8 length of a bulk string. Most values are short ASCII (names, addresses, numbers), for
 * which a JS scan is cheaper than the call into Buffer.byteLength.
 */
function byteLength(s: string): number {
  if (s.length > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

class Out {
  text = '';
  readonly parts: Buffer[] = [];

  buffer(b: Buffer): void {
    if (this.text) this.parts.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
    this.parts.push(b);
  }

  result(): Buffer {
    if (this.parts.length === 0) return Buffer.from(this.text, 'utf8');
    if (this.text) this.parts.push(Buffer.from(this.text, 'utf8'));
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }
}

function write(r: Reply, proto: Proto, out: Out): void {
  switch (r.t) {
    case 'simple':
      out.text += '+' + oneLine(r.v) + CRLF;
      return;
    case 'error':
      out.text += '-' + oneLine(r.v) + CRLF;
      return;
    case 'int':
      out.text += ':' + String(r.v) + CRLF;
      return;
    case 'bulk':
      if (typeof r.v === 'string') {
        out.text += '$' + byteLength(r.v) + CRLF + r.v + CRLF;
      } else {
        out.text += '$' + r.v.length + CRLF;
        out.buffer(r.v);
        out.text += CRLF;
      }
      return;
    case 'nullbulk':
      out.text += proto === 3 ? '_\r\n' : '$-1\r\n';
      return;
    case 'nullarray':
      out.text += proto === 3 ? '_\r\n' : '*-1\r\n';
      return;
    case 'array':
      out.text += '*' + r.v.length + CRLF;
      for (const x of r.v) write(x, proto, out);
      return;
    case 'push':
      out.text += (proto === 3 ? '>' : '*') + r.v.length + CRLF;
      for (const x of r.v) write(x, proto, out);
      return;
    case 'map':
      out.text += proto === 3 ? '%' + r.v.length + CRLF : '*' + r.v.length * 2 + CRLF;
      for (const [k, v] of r.v) {
        write(k, proto, out);
        write(v, proto, out);
      }
      return;
    case 'raw':
      out.buffer(r.v);
      return;
  }
}

export function encodeReply(reply: Reply, proto: Proto): Buffer {
  const out = new Out();
  write(reply, proto, out);
  return out.result();
}
