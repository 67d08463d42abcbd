/**
 * LinkManager against a real TCP server: the commands sent to a connection in one turn go out
 * in one write (they arrive together), replies are matched to them in order, and a close right
 * after sending still delivers what was sent first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { LinkManager } from '../../src/links/link-manager.js';
import type { ReplyTag, Wire } from '../../src/core/actions.js';

interface Peer {
  port: number;
  /** Each 'data' chunk the server read, as text. */
  reads: string[];
  sockets: net.Socket[];
  close(): Promise<void>;
}

/** A server that records every read and answers it with `answer(number of requests in it)`. */
async function startPeer(answer: (reqs: number) => string): Promise<Peer> {
  const reads: string[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => {
      reads.push(d.toString());
      const n = (d.toString().match(/^\*/gm) ?? []).length;
      s.write(answer(n));
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    reads,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function until(cond: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 5000;
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

const tag = (id: number): ReplyTag => ({ kind: 'ignore', id });

test('commands sent in one turn go out in one write; the replies come back matched in order', async () => {
  const peer = await startPeer((n) => Array.from({ length: n }, (_, i) => `+R${i}\r\n`).join(''));
  const replies: [number, Wire][] = [];
  let connected = false;
  const links = new LinkManager({
    connected: () => (connected = true),
    closed: () => {},
    reply: (_c, t, v) => replies.push([t.id, v]),
    message: () => {},
  });
  links.connect(1, '127.0.0.1', peer.port, 'cmd');
  await until(() => connected);
  links.send(1, ['PING'], tag(10));
  links.send(1, ['PUBLISH', '__sentinel__:hello', 'é'], tag(11));
  links.send(1, ['INFO'], tag(12));
  await until(() => replies.length === 3);
  assert.deepEqual(peer.reads, ['*1\r\n$4\r\nPING\r\n*3\r\n$7\r\nPUBLISH\r\n$18\r\n__sentinel__:hello\r\n$2\r\né\r\n*1\r\n$4\r\nINFO\r\n']);
  assert.deepEqual(replies, [
    [10, 'R0'],
    [11, 'R1'],
    [12, 'R2'],
  ]);
  // The next turn is the next write.
  links.send(1, ['PING'], tag(13));
  await until(() => replies.length === 4);
  assert.equal(peer.reads.length, 2);
  links.closeAll();
  await peer.close();
});

test('sent before the connection is up, and closed in the same turn: what was sent still goes out first', async () => {
  const peer = await startPeer(() => '');
  const links = new LinkManager({ connected: () => {}, closed: () => {}, reply: () => {}, message: () => {} });
  links.connect(2, '127.0.0.1', peer.port, 'cmd');
  links.send(2, ['CLIENT', 'SETNAME', 'x'], tag(1));
  links.send(2, ['PING'], tag(2));
  await until(() => peer.reads.join('').includes('PING'));
  links.send(2, ['SLAVEOF', 'NO', 'ONE'], tag(3));
  links.close(2);
  await until(() => peer.reads.join('').includes('SLAVEOF'));
  assert.equal(peer.reads.join(''), '*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n*3\r\n$7\r\nSLAVEOF\r\n$2\r\nNO\r\n$3\r\nONE\r\n');
  await peer.close();
});
