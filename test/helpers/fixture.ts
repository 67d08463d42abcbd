/**
 * A test file's shared topology: real servers started before its tests (by default 1 master,
 * 2 replicas, 3 sentinels, down-after 1000 ms; settled: every sentinel sees both replicas and
 * both peers) and stopped after them, with ioredis clients that are closed on the way out.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { startTopology } from './sentinels.js';
import type { Topology, TopologyOptions } from './sentinels.js';
import { waitFor } from './wait.js';
import { redisCli } from './wire.js';

export interface TopologyFixture {
  /** The running topology (fails the test if it did not start). */
  topo(): Topology;
  /** An ioredis client to `port`, closed after the file's tests. */
  client(port: number): Redis;
}

/** `skip`: the file's tests are skipped (the reason is theirs to print): nothing is started. */
export function useSettledTopology(opts: TopologyOptions & { skip?: string | false } = {}): TopologyFixture {
  let t: Topology | undefined;
  const clients: Redis[] = [];
  before(async () => {
    if (opts.skip) return;
    t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000, failoverTimeoutMs: 10000, ...opts });
    for (const s of t.sentinels) {
      const want = `status=ok,address=127.0.0.1:${t.master.port},slaves=2,sentinels=3`;
      await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(want), 15000, `${want} on sentinel ${s.port}`);
    }
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await t?.stopAll();
  });
  return {
    topo: () => {
      assert.ok(t, 'the topology started');
      return t;
    },
    client: (port) => {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 2 });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
  };
}

/** For `linesFor`: gives each sentinel its own free `http-port`, recorded in `ports` by index. */
export function httpPortLines(ports: number[]): (index: number) => Promise<string[]> {
  return async (i) => {
    ports[i] = await freePort();
    return [`http-port ${ports[i]}`];
  };
}
