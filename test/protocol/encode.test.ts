import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeReply } from '../../src/protocol/encode.js';
import type { Proto, Reply } from '../../src/protocol/reply.js';
import { OK, array, bulk, bulkMap, error, int, map, nullArray, nullBulk, push, simple } from '../../src/protocol/reply.js';

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
