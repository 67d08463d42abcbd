import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyParser, RespError, RespProtocolError, RespPush } from '../../src/protocol/reply-parser.js';
import type { RespValue } from '../../src/protocol/reply-parser.js';
import { encodeReply } from '../../src/protocol/encode.js';
import { array, bulk, bulkMap, error, int, map, nullArray, nullBulk, push, simple } from '../../src/protocol/reply.js';

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
  const realConcat = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number): Buffer => {
    const r = realConcat(list, total);
    copied += r.length;
    return r;
  }) as typeof Buffer.concat;
  let out: RespValue[];
  try {
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 1024) chunks.push(whole.subarray(i, i + 1024));
    out = parseAll(chunks);
  } finally {
    Buffer.concat = realConcat;
  }
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
    '+' + 'a'.repeat(70 * 1024), // no line end within 64 KiB
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
