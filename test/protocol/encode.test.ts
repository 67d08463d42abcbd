import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeReplies, encodeReply } from '../../src/protocol/encode.js';
import type { Proto, Reply } from '../../src/protocol/reply.js';
import { OK, array, bulk, bulkMap, error, fieldMapPairs, fieldMaps, int, map, nullArray, nullBulk, push, simple } from '../../src/protocol/reply.js';

const enc = (r: Reply, proto: Proto): string => encodeReply(r, proto).toString('latin1');
const both = (r: Reply, resp2: string, resp3: string): void => {
  assert.equal(enc(r, 2), resp2, 'RESP2');
  assert.equal(enc(r, 3), resp3, 'RESP3');
};

test('simple strings, errors and integers are the same in both protocols', () => {
  both(OK, '+OK\r\n', '+OK\r\n');
  both(simple(''), '+\r\n', '+\r\n');
  both(error('ERR unknown command'), '-ERR unknown command\r\n', '-ERR unknown command\r\n');
  both(error('NOQUORUM 1 usable Sentinels. '), '-NOQUORUM 1 usable Sentinels. \r\n', '-NOQUORUM 1 usable Sentinels. \r\n');
  both(int(0), ':0\r\n', ':0\r\n');
  both(int(-42), ':-42\r\n', ':-42\r\n');
  both(int(9007199254740993n), ':9007199254740993\r\n', ':9007199254740993\r\n');
});

test('CR and LF inside simple strings and errors become spaces (one line on the wire)', () => {
  both(simple('a\r\nb'), '+a  b\r\n', '+a  b\r\n');
  both(error('ERR x\ny'), '-ERR x y\r\n', '-ERR x y\r\n');
  both(error('ERR \r'), '-ERR  \r\n', '-ERR  \r\n');
});

test('bulk strings count bytes, not characters, and may carry CRLF or binary', () => {
  both(bulk(''), '$0\r\n\r\n', '$0\r\n\r\n');
  both(bulk('42001'), '$5\r\n42001\r\n', '$5\r\n42001\r\n');
  assert.deepEqual(encodeReply(bulk('é'), 2), Buffer.from('$2\r\né\r\n', 'utf8'));
  both(bulk('a\r\nb'), '$4\r\na\r\nb\r\n', '$4\r\na\r\nb\r\n');
  const bin = Buffer.from([0, 255, 13, 10]);
  assert.deepEqual(encodeReply(bulk(bin), 3), Buffer.concat([Buffer.from('$4\r\n'), bin, Buffer.from('\r\n')]));
});

test('nulls: $-1 / *-1 in RESP2, _ in RESP3', () => {
  both(nullBulk, '$-1\r\n', '_\r\n');
  both(nullArray, '*-1\r\n', '_\r\n');
});

test('arrays, nested arrays and the IS-MASTER-DOWN-BY-ADDR fixture', () => {
  both(array([]), '*0\r\n', '*0\r\n');
  both(array([int(0), bulk('*'), int(0)]), '*3\r\n:0\r\n$1\r\n*\r\n:0\r\n', '*3\r\n:0\r\n$1\r\n*\r\n:0\r\n');
  both(
    array([bulk('sentinel'), array([bulk('mymaster')])]),
    '*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n',
    '*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n',
  );
  both(array([nullBulk, nullArray]), '*2\r\n$-1\r\n*-1\r\n', '*2\r\n_\r\n_\r\n');
});

test('maps: a flat array of 2n in RESP2, % in RESP3 (the HELLO fixture)', () => {
  const hello = map([
    [bulk('server'), bulk('redis')],
    [bulk('version'), bulk('7.0.15')],
    [bulk('proto'), int(3)],
    [bulk('id'), int(17)],
    [bulk('mode'), bulk('sentinel')],
    [bulk('modules'), array([])],
  ]);
  const body =
    '$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:17\r\n' +
    '$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n';
  assert.equal(enc(hello, 3), `%6\r\n${body}`);
  assert.equal(enc(hello, 2), `*12\r\n${body}`);
  both(map([]), '*0\r\n', '%0\r\n');
  both(bulkMap([['ip', '127.0.0.1'], ['port', '42001']]), '*4\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n42001\r\n', '%2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n42001\r\n');
  // A map inside an array inside a map.
  both(
    map([[bulk('a'), array([bulkMap([['k', 'v']])])]]),
    '*2\r\n$1\r\na\r\n*1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n',
    '%1\r\n$1\r\na\r\n*1\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n',
  );
});

test('push frames: > in RESP3, * in RESP2 (the SUBSCRIBE fixture)', () => {
  both(
    push([bulk('subscribe'), bulk('+switch-master'), int(1)]),
    '*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n',
    '>3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n',
  );
  both(push([bulk('pong'), bulk('')]), '*2\r\n$4\r\npong\r\n$0\r\n\r\n', '>2\r\n$4\r\npong\r\n$0\r\n\r\n');
});

test('raw replies are written unchanged', () => {
  const raw = Buffer.from('=7\r\ntxt:abc\r\n');
  assert.deepEqual(encodeReply({ t: 'raw', v: raw }, 2), raw);
  assert.deepEqual(encodeReply(array([{ t: 'raw', v: Buffer.from(':1\r\n') }, bulk('x')]), 3), Buffer.from('*2\r\n:1\r\n$1\r\nx\r\n'));
});

test('a 20-pair field map with a Buffer value encodes to the concatenation of its parts', () => {
  const pairs: [Reply, Reply][] = [];
  let expected = '';
  for (let i = 0; i < 20; i++) {
    const k = `field-${i}`;
    const v = String(i * 1000);
    pairs.push([bulk(k), i === 7 ? bulk(Buffer.from(v)) : bulk(v)]);
    expected += `$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
  }
  both(map(pairs), `*40\r\n${expected}`, `%20\r\n${expected}`);
});

test('long and non-ASCII simple strings and errors are one line too', () => {
  both(simple('é\r\nü'), '+\xc3\xa9  \xc3\xbc\r\n', '+\xc3\xa9  \xc3\xbc\r\n');
  const long = 'x'.repeat(20000) + '\n' + 'y'.repeat(20000);
  both(error(long), `-${'x'.repeat(20000)} ${'y'.repeat(20000)}\r\n`, `-${'x'.repeat(20000)} ${'y'.repeat(20000)}\r\n`);
});

test('large payloads (strings, buffers, raw) around and beyond the scratch buffer keep their bytes and order', () => {
  const bigAscii = 'a'.repeat(70 * 1024);
  const bigUtf8 = '€'.repeat(30 * 1024); // 90 KiB of UTF-8
  const midUtf8 = 'é'.repeat(8191); // just under the separate-part threshold, 16 KiB of UTF-8
  const bigBuf = Buffer.alloc(9000, 0xfe);
  const raw = Buffer.from(':' + '7'.repeat(9000) + '\r\n');
  const r = array([bulk('x'), bulk(bigAscii), bulk(bigUtf8), bulk(midUtf8), bulk(bigBuf), { t: 'raw', v: raw }, int(1)]);
  const expected = Buffer.concat([
    Buffer.from(`*7\r\n$1\r\nx\r\n$${bigAscii.length}\r\n${bigAscii}\r\n`),
    Buffer.from(`$${3 * 30 * 1024}\r\n${bigUtf8}\r\n$${2 * 8191}\r\n${midUtf8}\r\n`, 'utf8'),
    Buffer.from('$9000\r\n'),
    bigBuf,
    Buffer.from('\r\n'),
    raw,
    Buffer.from(':1\r\n'),
  ]);
  assert.deepEqual(encodeReply(r, 2), expected);
  assert.deepEqual(encodeReply(r, 3), expected);
});

test('a reply much larger than the scratch buffer (20k elements) encodes completely', () => {
  const items: Reply[] = [];
  let expected = '*20000\r\n';
  for (let i = 0; i < 20000; i++) {
    const v = `value-${i}`;
    items.push(bulk(v));
    expected += `$${v.length}\r\n${v}\r\n`;
  }
  assert.equal(enc(array(items), 2), expected);
});

test('returned buffers are independent of later encodings', () => {
  const a = encodeReply(bulkMap([['ip', '127.0.0.1']]), 2);
  const copy = Buffer.from(a);
  encodeReply(bulk('z'.repeat(100)), 2);
  encodeReply(array([int(1), int(2)]), 3);
  assert.deepEqual(a, copy);
});

test('encodeReplies writes a pipeline batch as the concatenation of the single replies', () => {
  const batch = [OK, bulk('127.0.0.1'), nullBulk, push([bulk('message'), bulk('x')]), error('ERR y')];
  for (const proto of [2, 3] as const) {
    assert.deepEqual(encodeReplies(batch, proto), Buffer.concat(batch.map((r) => encodeReply(r, proto))));
  }
  assert.equal(encodeReplies([], 2).length, 0);
});

/** An independent, deliberately naive encoder: the specification the fast one must meet. */
function reference(r: Reply, proto: Proto): Buffer {
  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  const seq = (head: string, items: readonly Reply[]): Buffer => Buffer.concat([text(head), ...items.map((x) => reference(x, proto))]);
  switch (r.t) {
    case 'simple':
      return text(`+${r.v.split('\r').join(' ').split('\n').join(' ')}\r\n`);
    case 'error':
      return text(`-${r.v.split('\r').join(' ').split('\n').join(' ')}\r\n`);
    case 'int':
      return text(`:${r.v.toString()}\r\n`);
    case 'bulk': {
      const body = typeof r.v === 'string' ? text(r.v) : r.v;
      return Buffer.concat([text(`$${body.length}\r\n`), body, text('\r\n')]);
    }
    case 'nullbulk':
      return text(proto === 3 ? '_\r\n' : '$-1\r\n');
    case 'nullarray':
      return text(proto === 3 ? '_\r\n' : '*-1\r\n');
    case 'array':
      return seq(`*${r.v.length}\r\n`, r.v);
    case 'push':
      return seq(`${proto === 3 ? '>' : '*'}${r.v.length}\r\n`, r.v);
    case 'map':
      return seq(proto === 3 ? `%${r.v.length}\r\n` : `*${2 * r.v.length}\r\n`, r.v.flat());
    case 'strmap':
      return reference({ t: 'map', v: r.v.map(([k, v]) => [{ t: 'bulk', v: k }, { t: 'bulk', v }] as const) }, proto);
    case 'fieldmaps':
      return reference(array(fieldMapPairs(r.v).map((pairs) => bulkMap(pairs))), proto);
    case 'raw':
      return r.v;
  }
}

test('property: random nested replies encode exactly as the reference encoder (seeded)', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const alphabet = ['a', 'Z', '0', ' ', '\r', '\n', 'é', '€', '😀', '\0', '$', '*'];
  const randomString = (): string => {
    const len = rnd(40) === 0 ? rnd(20000) : rnd(16);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
    return s;
  };
  const numbers = [0, -0, 7, 10, 99, 100, 12345, -1, -250, 0.5, 1e21, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity];
  const randomNumberOrString = (): string | number =>
    rnd(3) === 0 ? randomString() : rnd(2) === 0 ? numbers[rnd(numbers.length)]! : rnd(10 ** (1 + rnd(12)));
  const randomReply = (depth: number): Reply => {
    switch (rnd(depth > 3 ? 7 : 11)) {
      case 0:
        return simple(randomString());
      case 1:
        return error(randomString());
      case 2:
        return rnd(2) === 0 ? int(rnd(2000000) - 1000000) : int(BigInt(rnd(1000000)) * 10000000000000n);
      case 3:
        return bulk(randomString());
      case 4:
        return rnd(2) === 0 ? bulk(Buffer.from(randomString(), 'utf8')) : { t: 'raw', v: Buffer.from(':' + rnd(100) + '\r\n') };
      case 5:
        return nullBulk;
      case 6:
        return rnd(2) === 0 ? nullArray : bulkMap(Array.from({ length: rnd(5) }, () => [randomString(), randomString()] as const));
      case 7:
        return array(Array.from({ length: rnd(6) }, () => randomReply(depth + 1)));
      case 8:
        return push(Array.from({ length: rnd(6) }, () => randomReply(depth + 1)));
      case 9: {
        // Field maps written on demand, numbers among the values (written as digits when they are
        // whole and not negative, else as String() spells them).
        const maps = Array.from({ length: rnd(4) }, () =>
          Array.from({ length: rnd(6) }, () => [randomString(), randomNumberOrString()] as const),
        );
        return fieldMaps({ length: maps.length, write: (i, into) => maps[i]!.forEach(([k, v]) => into.field(k, v)) });
      }
      default:
        return map(Array.from({ length: rnd(5) }, () => [randomReply(depth + 1), randomReply(depth + 1)] as const));
    }
  };
  for (let i = 0; i < 1000; i++) {
    const r = randomReply(0);
    for (const proto of [2, 3] as const) assert.deepEqual(encodeReply(r, proto), reference(r, proto), `case ${i}, RESP${proto}`);
  }
});
