import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countConcatCopies } from '../helpers/copy-counter.js';
import { QUERY_BUFFER_LIMIT_MESSAGE, RequestParser } from '../../src/protocol/request-parser.js';
import { string2ll as parseStrictInt } from '../../src/util/parse.js';
import type { ParseResult, RequestLimits } from '../../src/protocol/request-parser.js';

/** Feeds the chunks one by one, draining the parser after each; returns everything it produced. */
function run(chunks: (string | Buffer)[], limits: Partial<RequestLimits> = {}, authed = true): ParseResult[] {
  const p = new RequestParser(limits, () => authed);
  const out: ParseResult[] = [];
  for (const c of chunks) {
    p.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
    for (;;) {
      const r = p.next();
      if (r === undefined) break;
      out.push(r);
      if (r.kind === 'error') return out;
    }
  }
  return out;
}

const cmds = (...argvs: string[][]): ParseResult[] => argvs.map((argv) => ({ kind: 'command', argv }));
const err = (message: string): ParseResult[] => [{ kind: 'error', message }];

/** Encodes argv as a RESP multibulk request. */
function mb(argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

test('multibulk requests, pipelined, with empty and binary-looking arguments', () => {
  assert.deepEqual(run([mb(['PING'])]), cmds(['PING']));
  assert.deepEqual(run([mb(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster']) + mb(['PING', ''])]), cmds(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'], ['PING', '']));
  assert.deepEqual(run(['*1\r\n$4\r\na\r\nb\r\n']), cmds(['a\r\nb']));
});

test('*0 and negative counts are skipped, like redis', () => {
  assert.deepEqual(run(['*0\r\n*-1\r\n*-100\r\n' + mb(['PING'])]), cmds(['PING']));
});

test('inline commands: CRLF or LF, empty lines ignored, the readiness probe PING\\r\\n\\n', () => {
  assert.deepEqual(run(['PING\r\n\n']), cmds(['PING']));
  assert.deepEqual(run(['PING\n']), cmds(['PING']));
  assert.deepEqual(run(['\r\n\n   \r\nINFO sentinel\r\n']), cmds(['INFO', 'sentinel']));
  assert.deepEqual(run(['SENTINEL  set  m  auth-pass "a b"\r\n']), cmds(['SENTINEL', 'set', 'm', 'auth-pass', 'a b']));
  assert.deepEqual(run(["PING 'x y'\r\n"]), cmds(['PING', 'x y']));
  // Inline and multibulk mixed in one buffer.
  assert.deepEqual(run(['PING\r\n' + mb(['ROLE']) + 'INFO\n']), cmds(['PING'], ['ROLE'], ['INFO']));
  // A lone CR before LF belongs to the line ending; a CR elsewhere is a separator.
  assert.deepEqual(run(['PING a\rb\r\n']), cmds(['PING', 'a', 'b']));
});

test('unbalanced quotes in an inline request are a protocol error', () => {
  assert.deepEqual(run(['PING "a\r\n']), err('Protocol error: unbalanced quotes in request'));
  assert.deepEqual(run(['PING "a"b\r\n']), err('Protocol error: unbalanced quotes in request'));
  // Commands before the bad line are still returned first.
  assert.deepEqual(run(['PING\r\nPING \'x\r\n']), [...cmds(['PING']), ...err('Protocol error: unbalanced quotes in request')]);
});

test('every error text, as redis words it', () => {
  assert.deepEqual(run(['*x\r\n']), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run(['*\r\n']), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run(['*01\r\n']), err('Protocol error: invalid multibulk length')); // string2ll: no leading zeros
  assert.deepEqual(run(['*+1\r\n']), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run(['*-0\r\n']), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run(['*99999999999999999999\r\n']), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run(['*1048577\r\n']), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run(['*1\r\n$-1\r\n']), err('Protocol error: invalid bulk length'));
  assert.deepEqual(run(['*1\r\n$01\r\nx\r\n']), err('Protocol error: invalid bulk length'));
  assert.deepEqual(run(['*1\r\n$x\r\n']), err('Protocol error: invalid bulk length'));
  assert.deepEqual(run(['*1\r\n$2000\r\n'], { maxBulkLen: 1999 }), err('Protocol error: invalid bulk length'));
  assert.deepEqual(run(['*1\r\nPING\r\n']), err("Protocol error: expected '$', got 'P'"));
  assert.deepEqual(run(['*1\r\n\r\n']), err("Protocol error: expected '$', got '\r'"));
  assert.deepEqual(run([Buffer.from('*1\r\n\xe9X\r\n', 'latin1')]), err("Protocol error: expected '$', got '\xe9'"));
  assert.deepEqual(run(['x'.repeat(64 * 1024 + 1)]), err('Protocol error: too big inline request'));
  assert.deepEqual(run(['*' + '1'.repeat(64 * 1024 + 1)]), err('Protocol error: too big mbulk count string'));
  assert.deepEqual(run(['*1\r\n$' + '1'.repeat(64 * 1024 + 1)]), err('Protocol error: too big bulk count string'));
  assert.deepEqual(run(['*11\r\n'], {}, false), err('Protocol error: unauthenticated multibulk length'));
  assert.deepEqual(run(['*1\r\n$16385\r\n'], {}, false), err('Protocol error: unauthenticated bulk length'));
  assert.deepEqual(run(['x'.repeat(2000)], { maxQueryBuffer: 1999 }), err(QUERY_BUFFER_LIMIT_MESSAGE));
});

test('a NUL byte hides the line end, as it does from redis\'s strchr: no request, then "too big" past 64 KiB', () => {
  const pad = 'x'.repeat(64 * 1024);
  assert.deepEqual(run(['PING\0\r\nPING\r\n']), []);
  assert.deepEqual(run(['PING\0\r\nPING\r\n', pad]), err('Protocol error: too big inline request'));
  assert.deepEqual(run(['*1\0\r\n' + mb(['PING'])]), []);
  assert.deepEqual(run(['*1\0\r\n', pad]), err('Protocol error: too big mbulk count string'));
  assert.deepEqual(run(['*1\r\n\0$4\r\nPING\r\n']), []);
  assert.deepEqual(run(['*1\r\n$4\0\r\nPING\r\n', pad]), err('Protocol error: too big bulk count string'));
  // Past the line end a NUL is harmless; inside a bulk argument it is data.
  assert.deepEqual(run(['PING\r\n\0']), cmds(['PING']));
  assert.deepEqual(run([mb(['ECHO', 'a\0b'])]), cmds(['ECHO', 'a\0b']));
  // The same when the NUL arrives far from the start of the line (beyond the short JS scan).
  const longLine = 'PING ' + 'y'.repeat(100) + '\0' + 'z'.repeat(100) + '\r\n';
  assert.deepEqual(run([longLine]), []);
  assert.deepEqual(run([longLine, pad]), err('Protocol error: too big inline request'));
});

test('like redis, the byte after a count line\'s CR and the two bytes after a bulk argument are skipped unseen', () => {
  assert.deepEqual(run(['*2\rX$4\rYPING\r\n$1\r\nz\r\n']), cmds(['PING', 'z']));
  assert.deepEqual(run(['*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n']), cmds(['PING'], ['PING']));
  // The byte after a CR must still arrive before the line counts as complete.
  assert.deepEqual(run(['*1\r']), []);
  assert.deepEqual(run(['*1\r', '\n$4\r\nPING\r\n']), cmds(['PING']));
});

test('custom limits: line length, element count, bulk length', () => {
  assert.deepEqual(run(['PING abcdef'], { maxInlineBytes: 10 }), err('Protocol error: too big inline request'));
  assert.deepEqual(run(['PING abcde'], { maxInlineBytes: 10 }), []);
  assert.deepEqual(run(['*123456789012'], { maxInlineBytes: 10 }), err('Protocol error: too big mbulk count string'));
  assert.deepEqual(run(['*4\r\n'], { maxMultibulkLen: 3 }), err('Protocol error: invalid multibulk length'));
  assert.deepEqual(run([mb(['a', 'b', 'c'])], { maxMultibulkLen: 3 }), cmds(['a', 'b', 'c']));
  assert.deepEqual(run([mb(['abc'])], { maxBulkLen: 3 }), cmds(['abc']));
  assert.deepEqual(run([mb(['abcd'])], { maxBulkLen: 3 }), err('Protocol error: invalid bulk length'));
});

test('arguments already parsed of an unfinished request count towards the query buffer limit', () => {
  const arg = 'v'.repeat(4000);
  const limits = { maxQueryBuffer: 10000 };
  // Complete requests never exceed the limit, whatever they add up to.
  assert.deepEqual(run([mb(['SET', arg, arg]), mb(['SET', arg, arg])], limits), cmds(['SET', arg, arg], ['SET', arg, arg]));
  // Fed argument by argument, no more than ~4 KB is ever buffered, but 8 KB of arguments plus
  // the next partial one exceed the limit.
  const p = new RequestParser(limits);
  p.feed(Buffer.from(`*4\r\n$3\r\nSET\r\n$4000\r\n${arg}\r\n`));
  assert.equal(p.next(), undefined);
  p.feed(Buffer.from(`$4000\r\n${arg}\r\n`));
  assert.equal(p.next(), undefined);
  assert.equal(p.bufferedBytes(), 0);
  p.feed(Buffer.from(`$4000\r\n${arg.slice(0, 2100)}`));
  assert.deepEqual(p.next(), { kind: 'error', message: QUERY_BUFFER_LIMIT_MESSAGE });
});

test('limits are exclusive at their boundary', () => {
  assert.deepEqual(run(['*10\r\n'], {}, false), []); // 10 args allowed before AUTH
  assert.deepEqual(run(['*1\r\n$16384\r\n'], {}, false), []);
  assert.deepEqual(run(['x'.repeat(64 * 1024)]), []); // still waiting for the newline
  assert.deepEqual(run(['*1048576\r\n']), []);
  assert.deepEqual(run(['x'.repeat(2000)], { maxQueryBuffer: 2000 }), []);
  // A 64 KiB inline line is fine once its newline arrives.
  const long = 'PING ' + 'y'.repeat(64 * 1024 - 5);
  assert.deepEqual(run([long, '\r\n']), cmds(['PING', 'y'.repeat(64 * 1024 - 5)]));
});

test('the query buffer limit counts bytes held while waiting for a large bulk', () => {
  const p = new RequestParser({ maxQueryBuffer: 10000 });
  p.feed(Buffer.from('*1\r\n$20000\r\n'));
  assert.equal(p.next(), undefined);
  for (let i = 0; i < 9; i++) {
    p.feed(Buffer.alloc(1000, 0x61));
    assert.equal(p.next(), undefined);
  }
  assert.equal(p.bufferedBytes(), 9000);
  p.feed(Buffer.alloc(1001, 0x61));
  assert.deepEqual(p.next(), { kind: 'error', message: QUERY_BUFFER_LIMIT_MESSAGE });
});

test('after a protocol error the parser stays failed and ignores further input', () => {
  const p = new RequestParser();
  p.feed(Buffer.from('*x\r\n'));
  const e = p.next();
  assert.equal(e?.kind, 'error');
  p.feed(Buffer.from(mb(['PING'])));
  assert.deepEqual(p.next(), e);
  assert.equal(p.bufferedBytes(), 0);
});

test('authentication can change between requests of one buffer', () => {
  let authed = false;
  const p = new RequestParser({}, () => authed);
  p.feed(Buffer.from(mb(['AUTH', 'secret']) + mb(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'])));
  assert.deepEqual(p.next(), { kind: 'command', argv: ['AUTH', 'secret'] });
  authed = true;
  assert.deepEqual(p.next(), { kind: 'command', argv: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'] });
});

test('a multi-request buffer split at every position (and at every pair of positions) parses the same', () => {
  const stream = mb(['SENTINEL', 'is-master-down-by-addr', '127.0.0.1', '6379', '0', '*']) + 'PING "a b"\r\n\n' + mb(['']) + '*0\r\n' + mb(['CLIENT', 'SETNAME', 'x\r\ny']) + 'ROLE\n';
  const expected = run([stream]);
  assert.equal(expected.length, 5);
  for (let i = 0; i <= stream.length; i++) {
    assert.deepEqual(run([stream.slice(0, i), stream.slice(i)]), expected, `split at ${i}`);
  }
  for (let i = 0; i <= stream.length; i += 3) {
    for (let j = i; j <= stream.length; j += 5) {
      assert.deepEqual(run([stream.slice(0, i), stream.slice(i, j), stream.slice(j)]), expected, `split at ${i},${j}`);
    }
  }
  // One byte at a time.
  assert.deepEqual(run([...stream]), expected);
});

test('errors are found the same wherever the input is split', () => {
  for (const bad of ['*1\r\n$4\r\nPING\r\n*1\r\nxPING\r\n', 'PING\r\n*2\r\n$1\r\na\r\n$-5\r\n', 'PING\nPING "\n']) {
    const expected = run([bad]);
    assert.equal(expected.at(-1)?.kind, 'error');
    for (let i = 0; i <= bad.length; i++) assert.deepEqual(run([bad.slice(0, i), bad.slice(i)]), expected, `${JSON.stringify(bad)} split at ${i}`);
    assert.deepEqual(run([...bad]), expected);
  }
});

test('property: thousands of random argv arrays, encoded, split at random points, parse back identically (seeded)', () => {
  let seed = 20240611;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const alphabet = ['a', 'B', '9', ' ', '"', "'", '\r', '\n', '\\', '*', '$', 'é', '\0', '€'];
  for (let round = 0; round < 600; round++) {
    const argvs: string[][] = [];
    let stream = '';
    const n = 1 + rnd(15);
    for (let i = 0; i < n; i++) {
      const argv: string[] = [];
      const argc = 1 + rnd(6);
      for (let j = 0; j < argc; j++) {
        let s = '';
        const len = rnd(4) === 0 ? rnd(300) : rnd(12);
        for (let k = 0; k < len; k++) s += alphabet[rnd(alphabet.length)];
        argv.push(s);
      }
      argvs.push(argv);
      stream += mb(argv);
    }
    const bytes = Buffer.from(stream, 'utf8');
    const chunks: Buffer[] = [];
    let at = 0;
    while (at < bytes.length) {
      const len = 1 + rnd(rnd(2) === 0 ? 8 : 200);
      chunks.push(bytes.subarray(at, at + len));
      at += len;
    }
    assert.deepEqual(run(chunks), cmds(...argvs), `round ${round}`);
  }
});

test('a large bulk fed in many small chunks parses correctly with linear copying', () => {
  const size = 4 * 1024 * 1024;
  const body = Buffer.alloc(size, 0x78);
  body[0] = 0x41;
  body[size - 1] = 0x5a;
  const whole = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${size}\r\n`), body, Buffer.from('\r\n'), Buffer.from(mb(['PING']))]);
  const { result: out, copied } = countConcatCopies((): ParseResult[] => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 1000) chunks.push(whole.subarray(i, i + 1000));
    return run(chunks);
  });
  assert.equal(out.length, 2);
  const first = out[0]!;
  assert.equal(first.kind, 'command');
  if (first.kind === 'command') {
    assert.equal(first.argv.length, 3);
    assert.equal(first.argv[2]!.length, size);
    assert.equal(first.argv[2]![0], 'A');
    assert.equal(first.argv[2]![size - 1], 'Z');
  }
  assert.deepEqual(out[1], { kind: 'command', argv: ['PING'] });
  // Quadratic re-copying would move about size^2 / (2 * 1000) bytes (8 GB here).
  assert.ok(copied <= 2 * whole.length, `copied ${copied} bytes for a ${whole.length}-byte request`);
});

test('a long inline line and a long count line fed byte by byte are not re-copied at every byte', () => {
  const line = 'PING ' + 'z'.repeat(60000) + '\r\n';
  const countLine = '*1\r\n$' + '1'.repeat(60000) + '\r\n';
  const { result: [out, countOut], copied } = countConcatCopies(() => [
    run([...Buffer.from(line)].map((b) => Buffer.from([b]))),
    run([...Buffer.from(countLine)].map((b) => Buffer.from([b]))),
  ]);
  assert.deepEqual(out, cmds(['PING', 'z'.repeat(60000)]));
  assert.deepEqual(countOut, err('Protocol error: invalid bulk length'));
  assert.ok(copied <= 2 * (line.length + countLine.length), `copied ${copied}`);
});

test('parseStrictInt follows string2ll', () => {
  assert.equal(parseStrictInt('0'), 0);
  assert.equal(parseStrictInt('-7'), -7);
  assert.equal(parseStrictInt('9223372036854775807'), 9223372036854775807);
  for (const bad of ['', '-', '+1', '01', '-0', ' 1', '1 ', '1.0', '9223372036854775808', '-9223372036854775809', '0x10']) {
    assert.equal(parseStrictInt(bad), null, bad);
  }
});

test('property: random pipelines mixing multibulk, inline, empty lines and *0 parse the same at random splits (seeded)', () => {
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed >>> 4) % n;
  };
  const word = (): string => {
    const letters = 'abcXYZ019-_:.*$';
    let s = '';
    const len = 1 + rnd(10);
    for (let i = 0; i < len; i++) s += letters[rnd(letters.length)];
    return s;
  };
  for (let round = 0; round < 400; round++) {
    let stream = '';
    const expected: string[][] = [];
    const n = 1 + rnd(12);
    for (let i = 0; i < n; i++) {
      const argv = Array.from({ length: 1 + rnd(4) }, word);
      switch (rnd(5)) {
        case 0: {
          // Inline, with blanks, a quoted argument holding a space, and either line ending.
          argv[0] = 'c' + argv[0]; // a request starting with '*' would be multibulk
          const quoted = argv.map((a, j) => (j === 1 ? `"${a} ${a}"` : a));
          stream += quoted.join(rnd(2) === 0 ? ' ' : ' \t ') + (rnd(2) === 0 ? '\r\n' : '\n');
          expected.push(argv.map((a, j) => (j === 1 ? `${a} ${a}` : a)));
          break;
        }
        case 1:
          stream += rnd(2) === 0 ? '\r\n' : '\n';
          break;
        case 2:
          stream += rnd(2) === 0 ? '*0\r\n' : '*-1\r\n';
          break;
        default:
          stream += mb(argv);
          expected.push(argv);
      }
    }
    const bytes = Buffer.from(stream);
    const cuts = Array.from({ length: rnd(6) }, () => rnd(bytes.length + 1)).sort((a, b) => a - b);
    const chunks = [0, ...cuts].map((from, k) => bytes.subarray(from, k < cuts.length ? cuts[k] : bytes.length));
    assert.deepEqual(run(chunks), cmds(...expected), `round ${round}: ${JSON.stringify(stream)} cut at ${cuts.join(',')}`);
  }
});

test('lastRequestBytes: the exact bytes of a request read whole (multibulk or inline); null once split over chunks', () => {
  const p = new RequestParser();
  const a = mb(['SENTINEL', 'masters']);
  p.feed(Buffer.from('\r\n' + a + 'PING hi\r\n' + '*0\r\n' + a.slice(0, 7)));
  assert.deepEqual(p.next(), { kind: 'command', argv: ['SENTINEL', 'masters'] });
  assert.equal(p.lastRequestBytes()?.toString('latin1'), a, 'the empty line before it is not part of it');
  assert.deepEqual(p.next(), { kind: 'command', argv: ['PING', 'hi'] });
  assert.equal(p.lastRequestBytes()?.toString('latin1'), 'PING hi\r\n');
  assert.equal(p.next(), undefined);
  p.feed(Buffer.from(a.slice(7)));
  assert.deepEqual(p.next(), { kind: 'command', argv: ['SENTINEL', 'masters'] });
  assert.equal(p.lastRequestBytes(), null);
});

test('skipIfNext consumes the next request only when its bytes are exactly the ones given, at a request boundary', () => {
  const a = Buffer.from(mb(['PING']));
  const p = new RequestParser();
  p.feed(Buffer.concat([a, Buffer.from(mb(['PINH'])), a, a.subarray(0, 5)]));
  assert.equal(p.skipIfNext(a), true);
  assert.equal(p.skipIfNext(a), false, 'PINH differs by one byte');
  assert.deepEqual(p.next(), { kind: 'command', argv: ['PINH'] });
  assert.equal(p.skipIfNext(a), true);
  assert.equal(p.skipIfNext(a), false, 'only 5 of its bytes are here');
  assert.equal(p.next(), undefined);
  assert.equal(p.skipIfNext(a), false, 'in the middle of a request');
  p.feed(a.subarray(5));
  assert.deepEqual(p.next(), { kind: 'command', argv: ['PING'] });
  assert.equal(p.next(), undefined);
  // After a protocol error nothing is consumed any more.
  const q = new RequestParser();
  q.feed(Buffer.from('*1\r\nx\r\n'));
  assert.equal(q.next()?.kind, 'error');
  q.feed(a);
  assert.equal(q.skipIfNext(a), false);
});
