/**
 * Reply encoder: turns the protocol-neutral Reply model into RESP2 or RESP3 bytes.
 * Chunks are collected and joined once, so deep or large replies cost linear time.
 */
import type { Proto, Reply } from './reply.js';

const CRLF = '\r\n';

/** Status and error lines must stay on one line: CR and LF become spaces, as redis does. */
function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]/g, ' ') : s;
}

function write(r: Reply, proto: Proto, out: (string | Buffer)[]): void {
  switch (r.t) {
    case 'simple':
      out.push(`+${oneLine(r.v)}${CRLF}`);
      return;
    case 'error':
      out.push(`-${oneLine(r.v)}${CRLF}`);
      return;
    case 'int':
      out.push(`:${r.v}${CRLF}`);
      return;
    case 'bulk': {
      if (typeof r.v === 'string') {
        out.push(`$${Buffer.byteLength(r.v)}${CRLF}${r.v}${CRLF}`);
      } else {
        out.push(`$${r.v.length}${CRLF}`, r.v, CRLF);
      }
      return;
    }
    case 'nullbulk':
      out.push(proto === 3 ? `_${CRLF}` : `$-1${CRLF}`);
      return;
    case 'nullarray':
      out.push(proto === 3 ? `_${CRLF}` : `*-1${CRLF}`);
      return;
    case 'array':
      out.push(`*${r.v.length}${CRLF}`);
      for (const x of r.v) write(x, proto, out);
      return;
    case 'push':
      out.push(`${proto === 3 ? '>' : '*'}${r.v.length}${CRLF}`);
      for (const x of r.v) write(x, proto, out);
      return;
    case 'map':
      out.push(proto === 3 ? `%${r.v.length}${CRLF}` : `*${r.v.length * 2}${CRLF}`);
      for (const [k, v] of r.v) {
        write(k, proto, out);
        write(v, proto, out);
      }
      return;
    case 'raw':
      out.push(r.v);
      return;
  }
}

export function encodeReply(reply: Reply, proto: Proto): Buffer {
  const parts: (string | Buffer)[] = [];
  write(reply, proto, parts);
  if (parts.length === 1 && typeof parts[0] === 'string') return Buffer.from(parts[0], 'utf8');
  // Merge adjacent strings before converting: far fewer Buffer allocations for typical replies.
  const bufs: Buffer[] = [];
  let pending = '';
  for (const p of parts) {
    if (typeof p === 'string') pending += p;
    else {
      if (pending) bufs.push(Buffer.from(pending, 'utf8'));
      pending = '';
      bufs.push(p);
    }
  }
  if (pending) bufs.push(Buffer.from(pending, 'utf8'));
  return bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
}
