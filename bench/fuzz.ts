/**
 * A longer fuzz run than the property tests in the suite: random and mutated inputs through
 * the request parser, the reply parser and the config loader, for a fixed time. Any exception
 * that is not the module's own error type is a crash; the figures are printed at the end.
 *
 *   node dist/bench/fuzz.js [--seconds S] [--seed N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RequestParser } from '../src/protocol/request-parser.js';
import { ReplyParser } from '../src/protocol/reply-parser.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError, RespProtocolError } from '../src/util/errors.js';
import { mulberry32 } from '../test/sim/world.js';

const argv = process.argv.slice(2);
const seconds = Number(argv[argv.indexOf('--seconds') + 1] ?? 0) || 20;
const seed = Number(argv[argv.indexOf('--seed') + 1] ?? 0) || 1;
const rng = mulberry32(seed);
const int = (n: number): number => Math.floor(rng() * n);

const RESP_SEEDS = ['*2\r\n$4\r\nPING\r\n$1\r\nx\r\n', 'PING\r\n\n', '*1\r\n$-1\r\n', '$5\r\nhello\r\n', '%1\r\n+a\r\n:1\r\n', '>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n', '"unbalanced\r\n', '*3\r\n$3\r\nSET\r\n'];
const CONF_SEEDS = ['sentinel monitor m 127.0.0.1 6379 2', 'port 26379', 'sentinel known-replica m 127.0.0.1 6380', 'dir .', 'include x', 'sentinel myid ' + 'a'.repeat(40), 'user u on >p +@all', 'sentinel "quoted \\x41" x'];
const ALPHABET = '*$:+-%>_#,(=!~|\r\n0123456789 abcdefghijklmnopqrstuvwxyz"\'\\';

function mutate(s: string): string {
  const chars = [...s];
  const n = 1 + int(6);
  for (let i = 0; i < n; i++) {
    const pos = int(chars.length + 1);
    const op = int(4);
    if (op === 0) chars.splice(pos, 1);
    else if (op === 1) chars.splice(pos, 0, ALPHABET[int(ALPHABET.length)]!);
    else if (op === 2) chars.splice(pos, 0, String(int(3) === 0 ? -int(1e6) : int(1e10)));
    else chars.splice(pos, 0, ...chars.slice(int(chars.length), int(chars.length)));
  }
  return chars.join('');
}

function randomInput(seeds: string[]): Buffer {
  if (rng() < 0.2) return Buffer.from(Array.from({ length: int(200) }, () => int(256)));
  let s = '';
  const parts = 1 + int(4);
  for (let i = 0; i < parts; i++) s += mutate(seeds[int(seeds.length)]!);
  return Buffer.from(s, 'latin1');
}

function feedSplit(input: Buffer, feed: (b: Buffer) => void): void {
  let at = 0;
  while (at < input.length) {
    const n = 1 + int(input.length - at);
    feed(input.subarray(at, at + n));
    at += n;
  }
}

const counts = { requests: 0, replies: 0, configs: 0, crashes: 0 };
const crashes: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
const conf = path.join(dir, 'sentinel.conf');
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const input = randomInput(RESP_SEEDS);
  try {
    const p = new RequestParser({ maxQueryBuffer: 1 << 20 }, () => rng() < 0.5);
    feedSplit(input, (b) => {
      p.feed(b);
      for (let k = 0; k < 1000; k++) if (p.next() === undefined) break;
    });
    counts.requests++;
  } catch (e) {
    counts.crashes++;
    crashes.push(`request parser: ${(e as Error).message} on ${JSON.stringify(input.toString('latin1'))}`);
  }
  try {
    const r = new ReplyParser();
    feedSplit(input, (b) => {
      r.feed(b);
      for (let k = 0; k < 1000; k++) if (r.next() === undefined) break;
    });
    counts.replies++;
  } catch (e) {
    if (e instanceof RespProtocolError) counts.replies++;
    else {
      counts.crashes++;
      crashes.push(`reply parser: ${(e as Error).message} on ${JSON.stringify(input.toString('latin1'))}`);
    }
  }
  if (counts.configs < counts.requests / 4) {
    const text = Array.from({ length: 1 + int(6) }, () => randomInput(CONF_SEEDS).toString('latin1')).join('\n');
    fs.writeFileSync(conf, text);
    try {
      loadConfig(conf, [], { cwd: dir });
    } catch (e) {
      if (!(e instanceof ConfigError)) {
        counts.crashes++;
        crashes.push(`config loader: ${(e as Error).message} on ${JSON.stringify(text)}`);
      }
    }
    counts.configs++;
  }
}
fs.rmSync(dir, { recursive: true, force: true });
for (const c of crashes.slice(0, 10)) process.stdout.write(`${c}\n`);
process.stdout.write(
  `fuzz ${seconds} s, seed ${seed}: ${counts.requests} request-parser inputs, ${counts.replies} reply-parser inputs, ` +
    `${counts.configs} config files, crashes: ${counts.crashes}\n`,
);
process.exitCode = counts.crashes ? 1 : 0;
