import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTopology, tsOnly } from '../helpers/sentinels.js';
import type { Topology } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

let t: Topology;

before(async () => {
  t = await startTopology({ replicas: 1, sentinels: 2, quorum: 1 });
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=1,sentinels=2'), 15000, `topology on ${s.port}`);
  }
});

after(async () => {
  await t.stopAll();
});

test('announce-ip and announce-port change what peers learn from hellos; an empty announce-ip means unset', { skip: tsOnly('several pairs in one SENTINEL CONFIG SET are 7.2 behaviour') }, async () => {
  const [a, b] = t.sentinels as [typeof t.sentinels[0], typeof t.sentinels[0]];
  const id = (await redisCli(a.port, 'sentinel', 'myid')).trim();
  assert.equal((await redisCli(a.port, 'sentinel', 'config', 'set', 'announce-ip', '127.0.0.2', 'announce-port', '4242')).trim(), 'OK');
  // b learns the new address of the same id (+sentinel-address-switch), not a new peer.
  await waitFor(async () => {
    const peers = await redisCli(b.port, 'sentinel', 'sentinels', 'mymaster');
    return peers.includes(id) && peers.includes('127.0.0.2') && peers.includes('4242');
  }, 10000, 'the peer to see the announced address');
  assert.match(await redisCli(b.port, 'info', 'sentinel'), /sentinels=2/);
  assert.equal((await redisCli(a.port, 'sentinel', 'config', 'set', 'announce-ip', '', 'announce-port', '0')).trim(), 'OK');
  await waitFor(async () => {
    const peers = await redisCli(b.port, 'sentinel', 'sentinels', 'mymaster');
    return peers.includes(`127.0.0.1\nport\n${a.port}`);
  }, 10000, 'the peer to see the real address again');
  const conf = await redisCli(a.port, 'sentinel', 'config', 'get', 'announce-*');
  assert.match(conf, /announce-ip\n\nannounce-port\n0/);
});
