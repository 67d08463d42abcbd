/**
 * node-redis speaking RESP3 to a sentinel: maps for SENTINEL MASTER, and events as push
 * messages to SUBSCRIBE and PSUBSCRIBE callbacks while the same client type runs commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { startSentinel } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';

test('node-redis RESP3: SENTINEL MASTER as a map, +monitor/-monitor as pushes to channel and pattern subscribers', async () => {
  const s = await startSentinel({ lines: [] });
  const sub = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3 });
  const cmd = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3 });
  sub.on('error', () => {});
  cmd.on('error', () => {});
  try {
    await sub.connect();
    await cmd.connect();
    const got: string[] = [];
    await sub.subscribe('+monitor', (message, channel) => got.push(`${channel}: ${message}`));
    await sub.pSubscribe('-mon*', (message, channel) => got.push(`pattern ${channel}: ${message}`));
    assert.equal(await cmd.sendCommand(['SENTINEL', 'MONITOR', 'x', '127.0.0.1', '1', '1']), 'OK');
    const master = (await cmd.sendCommand(['SENTINEL', 'MASTER', 'x'])) as unknown as Record<string, string>;
    assert.equal(master['name'], 'x');
    assert.equal(master['quorum'], '1');
    assert.equal(await cmd.sendCommand(['SENTINEL', 'REMOVE', 'x']), 'OK');
    await waitFor(() => got.length === 2, 5000, 'both events');
    assert.deepEqual(got, ['+monitor: master x 127.0.0.1 1 quorum 1', 'pattern -monitor: master x 127.0.0.1 1']);
    // The subscribed RESP3 connection still runs commands.
    assert.equal(await sub.ping(), 'PONG');
  } finally {
    sub.destroy();
    cmd.destroy();
    await s.stop();
  }
});
