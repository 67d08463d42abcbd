/**
 * RESP codec micro-benchmark.
 *
 *   parse:  a pipeline of N `SENTINEL GET-MASTER-ADDR-BY-NAME mymaster` requests (multibulk, as
 *           clients send them, and inline), fed to RequestParser in 64 KiB chunks like socket
 *           reads -> requests parsed per second;
 *   encode: a 20-pair bulk-string map (the shape of SENTINEL MASTER) and the 2-element
 *           GET-MASTER-ADDR-BY-NAME reply, through encodeReply, RESP2 and RESP3, and a batch of
 *           100 such replies through encodeReplies -> replies/s;
 *   replies: a stream of N `[ip, port]` replies and of N RESP3 INFO-sized verbatim replies
 *           (what our links read), fed to ReplyParser in 64 KiB chunks -> replies/s.
 *
 * Each figure is the median of R runs after one warm-up run.
 * Usage: node dist/bench/resp.js [--requests N] [--runs R]
 */
import { RequestParser } from '../src/protocol/request-parser.js';
import { encodeReplies, encodeReply } from '../src/protocol/encode.js';
import { ReplyParser } from '../src/protocol/reply-parser.js';
import type { Proto, Reply } from '../src/protocol/reply.js';
import { array, bulk, bulkMap } from '../src/protocol/reply.js';

interface Args {
  requests: number;
  runs: number;
}

function parseArgs(): Args {
  const a: Args = { requests: 100_000, runs: 7 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (argv[i] === '--requests') a.requests = v;
    else if (argv[i] === '--runs') a.runs = v;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `fn` once to warm up, then `runs` times; returns the median duration in seconds. */
function timeIt(runs: number, fn: () => void): number {
  fn();
  const ds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(ds);
}

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function benchParse(label: string, one: string, n: number, runs: number): void {
  const chunks = chunked(Buffer.from(one.repeat(n)), 64 * 1024);
  let parsed = 0;
  const secs = timeIt(runs, () => {
    const p = new RequestParser();
    parsed = 0;
    for (const c of chunks) {
      p.feed(c);
      for (let r = p.next(); r !== undefined; r = p.next()) {
        if (r.kind !== 'command') throw new Error(r.message);
        parsed++;
      }
    }
  });
  if (parsed !== n) throw new Error(`parsed ${parsed} of ${n}`);
  console.log(`parse  ${label.padEnd(44)} ${fmt(n / secs)} requests/s  (${n} in ${(secs * 1000).toFixed(1)} ms)`);
}

function benchEncode(label: string, reply: Reply, proto: Proto, n: number, runs: number): void {
  let bytes = 0;
  const secs = timeIt(runs, () => {
    bytes = 0;
    for (let i = 0; i < n; i++) bytes += encodeReply(reply, proto).length;
  });
  console.log(`encode ${label.padEnd(44)} ${fmt(n / secs)} replies/s   (${bytes / n} bytes each)`);
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US').padStart(12);
}

const args = parseArgs();
console.log(`node ${process.version}, ${args.requests} requests per run, median of ${args.runs} runs`);

const multibulk = '*3\r\n$8\r\nSENTINEL\r\n$23\r\nGET-MASTER-ADDR-BY-NAME\r\n$8\r\nmymaster\r\n';
benchParse('SENTINEL GET-MASTER-ADDR-BY-NAME (multibulk)', multibulk, args.requests, args.runs);
benchParse('SENTINEL GET-MASTER-ADDR-BY-NAME (inline)', 'SENTINEL GET-MASTER-ADDR-BY-NAME mymaster\r\n', args.requests, args.runs);

const fields: [string, string][] = [
  ['name', 'mymaster'],
  ['ip', '127.0.0.1'],
  ['port', '42001'],
  ['runid', '9c8f3a1e0b6d4c2f8e7a5b3c1d9e0f2a4b6c6469'],
  ['flags', 'master'],
  ['link-pending-commands', '0'],
  ['link-refcount', '1'],
  ['last-ping-sent', '0'],
  ['last-ok-ping-reply', '412'],
  ['last-ping-reply', '412'],
  ['down-after-milliseconds', '30000'],
  ['info-refresh', '8035'],
  ['role-reported', 'master'],
  ['role-reported-time', '1208842'],
  ['config-epoch', '0'],
  ['num-slaves', '2'],
  ['num-other-sentinels', '2'],
  ['quorum', '2'],
  ['failover-timeout', '180000'],
  ['parallel-syncs', '1'],
];
const masterMap = bulkMap(fields);
const addr = array([bulk('127.0.0.1'), bulk('42001')]);
benchEncode('20-pair bulk map (SENTINEL MASTER), RESP2', masterMap, 2, args.requests, args.runs);
benchEncode('20-pair bulk map (SENTINEL MASTER), RESP3', masterMap, 3, args.requests, args.runs);
benchEncode('[ip, port] (GET-MASTER-ADDR-BY-NAME), RESP2', addr, 2, args.requests, args.runs);

const batch = Array.from({ length: 100 }, () => addr);
let batchBytes = 0;
const batchSecs = timeIt(args.runs, () => {
  batchBytes = 0;
  for (let i = 0; i < args.requests / 100; i++) batchBytes += encodeReplies(batch, 2).length;
});
console.log(`encode ${'[ip, port] x 100 (encodeReplies), RESP2'.padEnd(44)} ${fmt(args.requests / batchSecs)} replies/s   (${batchBytes / args.requests} bytes each)`);

function benchReplies(label: string, one: Buffer, n: number, runs: number): void {
  const chunks = chunked(Buffer.concat(Array.from({ length: n }, () => one)), 64 * 1024);
  let parsed = 0;
  const secs = timeIt(runs, () => {
    const p = new ReplyParser();
    parsed = 0;
    for (const c of chunks) {
      p.feed(c);
      while (p.next() !== undefined) parsed++;
    }
  });
  if (parsed !== n) throw new Error(`parsed ${parsed} of ${n}`);
  console.log(`reply  ${label.padEnd(44)} ${fmt(n / secs)} replies/s   (${one.length} bytes each)`);
}

benchReplies('[ip, port] (ReplyParser)', encodeReply(addr, 2), args.requests, args.runs);
const infoText = Array.from({ length: 60 }, (_, i) => `field_${i}:${i * 12345}`).join('\r\n');
const info = Buffer.from(`=${Buffer.byteLength(infoText) + 4}\r\ntxt:${infoText}\r\n`);
benchReplies('INFO, RESP3 verbatim (ReplyParser)', info, args.requests / 10, args.runs);
