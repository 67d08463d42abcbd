import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countConcatCopies } from '../helpers/copy-counter.js';
import { ReplyParser, RespError, RespPush } from '../../src/protocol/reply-parser.js';
import { RespProtocolError } from '../../src/util/errors.js';
import type { RespValue } from '../../src/protocol/reply-parser.js';
import { encodeReply } from '../../src/protocol/encode.js';
import type { Proto, Reply } from '../../src/protocol/reply.js';
import { array, bulk, bulkMap, error, fieldMapPairs, int, map, nullArray, nullBulk, push, simple } from '../../src/protocol/reply.js';

function parseAll(chunks: (string | Buffer)[]): RespValue[] {
  const p = new ReplyParser();
  const out: RespValue[] = [];
  for (const c of chunks) {
    p.feed(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
    for (let v = p.next(); v !== undefined; v = p.next()) out.push(v);
  }
  return out;
}
const one = (s: string): RespValue => {
  const out = parseAll([s]);
  assert.equal(out.length, 1, `one value expected from ${JSON.stringify(s)}`);
  return out[0]!;
};

test('RESP2 types', () => {
  assert.equal(one('+OK\r\n'), 'OK');
  assert.equal(one('+\r\n'), '');
  assert.deepEqual(one('-ERR no such key\r\n'), new RespError('ERR no such key'));
  assert.equal(one(':42\r\n'), 42);
  assert.equal(one(':-1\r\n'), -1);
  assert.equal(one(':9223372036854775807\r\n'), 9223372036854775807n);
  assert.equal(one('$5\r\nhello\r\n'), 'hello');
  assert.equal(one('$0\r\n\r\n'), '');
  assert.equal(one('$4\r\na\r\nb\r\n'), 'a\r\nb');
  assert.equal(one('$2\r\né\r\n'), 'é');
  assert.equal(one('$-1\r\n'), null);
  assert.equal(one('*-1\r\n'), null);
  assert.deepEqual(one('*0\r\n'), []);
  assert.deepEqual(one('*3\r\n:0\r\n$1\r\n*\r\n:0\r\n'), [0, '*', 0]);
});

test('RESP3 types: null, boolean, double, big number, blob error, verbatim, map, set, push, attribute', () => {
  assert.equal(one('_\r\n'), null);
  assert.equal(one('#t\r\n'), 1);
  assert.equal(one('#f\r\n'), 0);
  assert.equal(one(',3.5\r\n'), 3.5);
  assert.equal(one(',-1e3\r\n'), -1000);
  assert.equal(one(',10\r\n'), 10);
  assert.equal(one(',inf\r\n'), Infinity);
  assert.equal(one(',-inf\r\n'), -Infinity);
  assert.ok(Number.isNaN(one(',nan\r\n')));
  assert.equal(one('(3492890328409238509324850943850943825024385\r\n'), 3492890328409238509324850943850943825024385n);
  assert.deepEqual(one('!21\r\nSYNTAX invalid syntax\r\n'), new RespError('SYNTAX invalid syntax'));
  assert.equal(one('=15\r\ntxt:Some string\r\n'), 'Some string');
  assert.deepEqual(one('%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n'), ['first', 1, 'second', 2]);
  assert.deepEqual(one('%0\r\n'), []);
  assert.deepEqual(one('~2\r\n+a\r\n+b\r\n'), ['a', 'b']);
  assert.deepEqual(one('>3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$2\r\nhi\r\n'), new RespPush(['message', 'ch1', 'hi']));
  // An attribute is parsed and dropped, top level or inside an aggregate.
  assert.deepEqual(parseAll(['|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:1\r\n:2\r\n']), [[1, 2]]);
  assert.deepEqual(one('*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n'), [1, 2]);
});

test('nesting: maps in arrays in maps, pushes holding arrays', () => {
  assert.deepEqual(one('*2\r\n%1\r\n$1\r\nk\r\n*2\r\n$1\r\nv\r\n_\r\n*1\r\n*1\r\n*0\r\n'), [['k', ['v', null]], [[[]]]]);
  assert.deepEqual(one('>2\r\n$4\r\npong\r\n*1\r\n:1\r\n'), new RespPush(['pong', [1]]));
});

test('what our encoder writes, the parser reads back (both protocols)', () => {
  const replies = [
    simple('OK'),
    error('NOAUTH Authentication required.'),
    int(7),
    bulk('x'),
    nullBulk,
    nullArray,
    array([int(0), bulk('*'), int(0)]),
    bulkMap([['name', 'mymaster'], ['ip', '127.0.0.1']]),
    map([[bulk('modules'), array([])]]),
    push([bulk('message'), bulk('+sdown'), bulk('master mymaster 127.0.0.1 6379')]),
  ];
  const expected: RespValue[] = [
    'OK',
    new RespError('NOAUTH Authentication required.'),
    7,
    'x',
    null,
    null,
    [0, '*', 0],
    ['name', 'mymaster', 'ip', '127.0.0.1'],
    ['modules', []],
  ];
  assert.deepEqual(parseAll(replies.map((r) => encodeReply(r, 2))), [...expected, ['message', '+sdown', 'master mymaster 127.0.0.1 6379']]);
  assert.deepEqual(parseAll(replies.map((r) => encodeReply(r, 3))), [...expected, new RespPush(['message', '+sdown', 'master mymaster 127.0.0.1 6379'])]);
});

test('a stream of replies split at every position parses to the same values', () => {
  const stream =
    '+PONG\r\n*2\r\n$9\r\n127.0.0.1\r\n$5\r\n42001\r\n-ERR x\r\n:12\r\n%1\r\n$2\r\nid\r\n(123456789012345678901234567890\r\n' +
    '>3\r\n$9\r\nsubscribe\r\n$18\r\n__sentinel__:hello\r\n:1\r\n_\r\n=8\r\ntxt:a\r\nb\r\n|1\r\n+a\r\n+b\r\n#t\r\n$-1\r\n';
  const expected = parseAll([stream]);
  assert.equal(expected.length, 10); // the attribute is dropped
  for (let i = 0; i <= stream.length; i++) assert.deepEqual(parseAll([stream.slice(0, i), stream.slice(i)]), expected, `split at ${i}`);
  assert.deepEqual(parseAll([...stream]), expected);
});

test('a large bulk reply arriving in many chunks is joined once, not re-copied per chunk', () => {
  const size = 2 * 1024 * 1024;
  const whole = Buffer.concat([Buffer.from(`*2\r\n:1\r\n$${size}\r\n`), Buffer.alloc(size, 0x61), Buffer.from('\r\n+OK\r\n')]);
  const { result: out, copied } = countConcatCopies((): RespValue[] => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 1024) chunks.push(whole.subarray(i, i + 1024));
    return parseAll(chunks);
  });
  assert.equal(out.length, 2);
  assert.equal((out[0] as RespValue[])[0], 1);
  assert.equal(((out[0] as RespValue[])[1] as string).length, size);
  assert.equal(out[1], 'OK');
  assert.ok(copied <= 2 * whole.length, `copied ${copied}`);
});

test('garbage throws RespProtocolError', () => {
  const bad = [
    '?\r\n',
    'hello\r\n',
    ':12a\r\n',
    '$abc\r\n',
    '*x\r\n',
    '$3\r\nabcde\r\n', // the bulk is not followed by CRLF
    '#x\r\n',
    ',1.2.3\r\n',
    '(12x\r\n',
    '$' + '1'.repeat(20) + '\r\n', // larger than any allowed bulk
    '$536870913\r\n', // one byte over 512 MiB
    '$-2\r\n',
    '*-2\r\n',
    '*?\r\n', // RESP3 streamed aggregates are not supported
    '$?\r\n',
    '_x\r\n',
    '|-1\r\n',
    '=3\r\ntxt\r\n', // verbatim shorter than its format prefix
    '=5\r\ntxt-a\r\n',
    '+' + 'a'.repeat(1024 * 1024 + 1), // no line end within 1 MiB
    '+' + 'a'.repeat(1024 * 1024 + 1) + '\r\n',
  ];
  for (const b of bad) {
    assert.throws(() => parseAll([b]), RespProtocolError, JSON.stringify(b.slice(0, 30)));
  }
});

test('an incomplete value yields nothing until the rest arrives', () => {
  const p = new ReplyParser();
  p.feed(Buffer.from('*2\r\n$3\r\nab'));
  assert.equal(p.next(), undefined);
  assert.equal(p.next(), undefined);
  p.feed(Buffer.from('c\r\n:5'));
  assert.equal(p.next(), undefined);
  p.feed(Buffer.from('\r\n'));
  assert.deepEqual(p.next(), ['abc', 5]);
  assert.equal(p.next(), undefined);
});

test('the RESP3 INFO reply: a verbatim string whose txt: prefix is dropped', () => {
  const info = '# Server\r\nredis_version:7.2.4\r\nredis_mode:sentinel\r\nos:Linux 6.1.0 x86_64\r\n\r\n# Sentinel\r\nsentinel_masters:1\r\n';
  const frame = `=${Buffer.byteLength(info) + 4}\r\ntxt:${info}\r\n`;
  assert.equal(one(frame), info);
  assert.equal(one(`=${4 + 3}\r\nmkd:abc\r\n`), 'abc');
  assert.equal(one('=4\r\ntxt:\r\n'), '');
  for (let i = 0; i <= frame.length; i++) assert.deepEqual(parseAll([frame.slice(0, i), frame.slice(i)]), [info], `split at ${i}`);
});

test('nulls inside RESP3 aggregates, null aggregates, and lone CRs inside a line', () => {
  assert.deepEqual(one('%2\r\n$1\r\na\r\n_\r\n$1\r\nb\r\n*-1\r\n'), ['a', null, 'b', null]);
  assert.equal(one('%-1\r\n'), null);
  assert.equal(one('~-1\r\n'), null);
  assert.equal(one('>-1\r\n'), null);
  assert.deepEqual(one('>0\r\n'), new RespPush([]));
  assert.deepEqual(one('~0\r\n'), []);
  assert.equal(one('+a\rb\r\n'), 'a\rb');
  // An attribute right before the end of an aggregate, and an empty attribute.
  assert.deepEqual(one('*1\r\n:5\r\n'), [5]);
  assert.deepEqual(parseAll(['*2\r\n:1\r\n|1\r\n+k\r\n+v\r\n:2\r\n|0\r\n+x\r\n']), [[1, 2], 'x']);
});

test('after a protocol error the parser stays failed: the same error again, input ignored', () => {
  const p = new ReplyParser();
  p.feed(Buffer.from('+OK\r\n?\r\n+later\r\n'));
  assert.equal(p.next(), 'OK');
  let first: unknown;
  assert.throws(() => p.next(), (e) => ((first = e), e instanceof RespProtocolError));
  p.feed(Buffer.from('+more\r\n'));
  assert.throws(() => p.next(), (e) => e === first);
  assert.equal(p.bufferedBytes(), 0);
});

test('nesting and reply size are bounded', () => {
  const deep = (n: number): string => '*1\r\n'.repeat(n) + ':1\r\n';
  let v = one(deep(128));
  for (let i = 0; i < 128; i++) v = (v as RespValue[])[0]!;
  assert.equal(v, 1);
  assert.throws(() => parseAll([deep(129)]), RespProtocolError);
  const p = new ReplyParser({ maxReplyBytes: 1000 });
  p.feed(Buffer.from('*1000\r\n'));
  for (let i = 0; i < 240; i++) {
    p.feed(Buffer.from(':1\r\n'));
    assert.equal(p.next(), undefined);
  }
  p.feed(Buffer.from(':1\r\n'.repeat(10)));
  assert.throws(() => p.next(), RespProtocolError);
  const small = new ReplyParser({ maxBulkLen: 10, maxLineBytes: 8 });
  small.feed(Buffer.from('$10\r\n0123456789\r\n+12345678\r\n'));
  assert.equal(small.next(), '0123456789');
  assert.equal(small.next(), '12345678');
  small.feed(Buffer.from('$11\r\n'));
  assert.throws(() => small.next(), RespProtocolError);
});

test('a large aggregate fed a few bytes at a time is parsed once: linear copying, no re-parse', () => {
  const n = 50000;
  let text = `*${n}\r\n`;
  for (let i = 0; i < n; i++) text += i % 2 ? `:${i}\r\n` : `$${String(i).length}\r\n${i}\r\n`;
  const whole = Buffer.from(text + '+OK\r\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < whole.length; i += 7) chunks.push(whole.subarray(i, i + 7));
  const { result: out, copied } = countConcatCopies(() => parseAll(chunks));
  assert.equal(out.length, 2);
  const items = out[0] as RespValue[];
  assert.equal(items.length, n);
  assert.equal(items[n - 1], n - 1);
  assert.equal(items[n - 2], String(n - 2));
  assert.equal(out[1], 'OK');
  // Re-parsing from the start at each chunk would copy about whole^2 / 14 bytes (a few GB).
  assert.ok(copied <= 2 * whole.length, `copied ${copied} bytes for ${whole.length}`);
});

/** What the parser must make of an encoded reply (the value mapping of reply-parser.ts). */
function expectedValue(r: Reply, proto: Proto): RespValue {
  const oneLine = (s: string): string => s.replace(/[\r\n]/g, ' ');
  switch (r.t) {
    case 'simple':
      return oneLine(r.v);
    case 'error':
      return new RespError(oneLine(r.v));
    case 'int':
      return Number.isSafeInteger(Number(r.v)) ? Number(r.v) : BigInt(r.v);
    case 'bulk':
      return typeof r.v === 'string' ? Buffer.from(r.v, 'utf8').toString('utf8') : r.v.toString('utf8');
    case 'nullbulk':
    case 'nullarray':
      return null;
    case 'array':
      return r.v.map((x) => expectedValue(x, proto));
    case 'push':
      return proto === 3 ? new RespPush(r.v.map((x) => expectedValue(x, proto))) : r.v.map((x) => expectedValue(x, proto));
    case 'map':
      return r.v.flatMap(([k, v]) => [expectedValue(k, proto), expectedValue(v, proto)]);
    case 'strmap':
      return r.v.flat();
    case 'fieldmaps':
      return fieldMapPairs(r.v).map((pairs) => pairs.flat());
    case 'raw':
      throw new Error('not generated');
  }
}

test('property: random replies, encoded in RESP2 and RESP3, pipelined and split at random points, parse back (seeded)', () => {
  let seed = 4242;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed >>> 5) % n;
  };
  const alphabet = ['a', 'Q', '7', ' ', '\r', '\n', ':', '$', '*', 'é', '😀', '\0'];
  const randomString = (): string => {
    let s = '';
    const len = rnd(25) === 0 ? rnd(3000) : rnd(12);
    for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
    return s;
  };
  const randomReply = (depth: number): Reply => {
    switch (rnd(depth > 3 ? 6 : 9)) {
      case 0:
        return simple(randomString());
      case 1:
        return error(randomString());
      case 2:
        return rnd(3) === 0 ? int(BigInt(rnd(1 << 30)) * 100000000000n - 50000000000000000n) : int(rnd(200001) - 100000);
      case 3:
        return rnd(2) === 0 ? bulk(randomString()) : bulk(Buffer.from(randomString(), 'utf8'));
      case 4:
        return nullBulk;
      case 5:
        return nullArray;
      case 6:
        return array(Array.from({ length: rnd(5) }, () => randomReply(depth + 1)));
      case 7:
        return push(Array.from({ length: rnd(5) }, () => randomReply(depth + 1)));
      default:
        return map(Array.from({ length: rnd(4) }, () => [randomReply(depth + 1), randomReply(depth + 1)] as const));
    }
  };
  for (let round = 0; round < 500; round++) {
    const proto: Proto = rnd(2) === 0 ? 2 : 3;
    const replies = Array.from({ length: 1 + rnd(5) }, () => randomReply(0));
    const bytes = Buffer.concat(replies.map((r) => encodeReply(r, proto)));
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const len = 1 + rnd(rnd(2) === 0 ? 6 : 300);
      chunks.push(bytes.subarray(at, at + len));
      at += len;
    }
    assert.deepEqual(parseAll(chunks), replies.map((r) => expectedValue(r, proto)), `round ${round}, RESP${proto}`);
  }
});

test('borrowed chunks (a shared read buffer): what is kept is copied, so reusing the buffer changes nothing (seeded splits)', () => {
  const replies: Reply[] = [bulk('x'.repeat(5000)), array([bulk('a'), int(7), bulk('é'.repeat(300))]), simple('PONG'), bulk('y'.repeat(70000))];
  const wire = Buffer.concat(replies.map((r) => encodeReply(r, 2)));
  const expected = parseWhole(wire);
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 50; round++) {
    const shared = Buffer.alloc(64 * 1024);
    const p = new ReplyParser();
    const got: RespValue[] = [];
    for (let at = 0; at < wire.length; ) {
      const n = Math.min(1 + rand(round % 2 ? 40 : 9000), wire.length - at, shared.length);
      wire.copy(shared, 0, at, at + n);
      at += n;
      p.feed(shared.subarray(0, n), true);
      for (let v = p.next(); v !== undefined; v = p.next()) got.push(v);
      p.ownRest();
      shared.fill(0x21); // the next read overwrites it
    }
    assert.deepEqual(got, expected, `round ${round}`);
  }
});

/** Parses a whole buffer at once (the reference for the borrowed-chunk test). */
function parseWhole(wire: Buffer): RespValue[] {
  const p = new ReplyParser();
  p.feed(wire);
  const out: RespValue[] = [];
  for (let v = p.next(); v !== undefined; v = p.next()) out.push(v);
  return out;
}
