/**
 * notification-script and client-reconfig-script, run for real by every sentinel of a mixed
 * quorum (two sentinel-ts, one redis-sentinel) through a failover: each script appends its
 * arguments to a file (scripts run concurrently, so lines may come out of order). The leader's
 * notification script sees the warning-level events (+sdown, +odown, the election and failover
 * steps, +switch-master), every observer's sees +switch-master too; the reconfig script is run once as `leader start` by the sentinel that did
 * the failover and as `observer start` by the others, with the old and the new address.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { removeTempDir, tempDir } from '../helpers/pids.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { failOverFrozenMaster, tsStderr, waitForView } from '../helpers/quorum.js';

let master: RedisServer;
let replica: RedisServer;
let scriptDir: string;
const sentinels: { s: SentinelProcess; notified: string; reconfigured: string }[] = [];

/** A script that appends its arguments, one call per line, to `out`. */
function recorder(name: string, out: string): string {
  const file = path.join(scriptDir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "$@" >> '${out}'\n`, { mode: 0o755 });
  return file;
}

const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

before(async () => {
  scriptDir = tempDir('scripts-');
  master = await startRedis();
  replica = await startRedis({ replicaOf: master.port });
  for (const [i, impl] of (['ts', 'ts', 'redis'] as const).entries()) {
    const notified = path.join(scriptDir, `notified-${i}.txt`);
    const reconfigured = path.join(scriptDir, `reconfigured-${i}.txt`);
    const s = await startSentinel({
      impl,
      lines: [
        `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
        'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 10000',
        `sentinel notification-script mymaster ${recorder(`notify-${i}.sh`, notified)}`,
        `sentinel client-reconfig-script mymaster ${recorder(`reconfig-${i}.sh`, reconfigured)}`,
      ],
    });
    sentinels.push({ s, notified, reconfigured });
  }
});

after(async () => {
  for (const { s } of sentinels) await s.stop();
  await replica?.stop();
  await master?.stop();
  removeTempDir(scriptDir);
});

test('through a failover every sentinel runs its notification script for warnings and its reconfig script once', async () => {
  const all = sentinels.map(({ s }) => s);
  await waitForView(all, `address=127.0.0.1:${master.port},slaves=1,sentinels=3`);
  await failOverFrozenMaster(master, all, replica.port);
  const from = `127.0.0.1 ${master.port}`;
  const to = `127.0.0.1 ${replica.port}`;
  for (const { s, notified, reconfigured } of sentinels) {
    await waitFor(() => read(notified).includes(`+switch-master mymaster ${from} ${to}`), 10000, `${s.impl}'s notification script to report +switch-master`);
    const events = read(notified);
    // Notice-level events (the replica's promotion steps, +slave, +sentinel) are not sent to the script.
    assert.doesNotMatch(events, /^\+(failover-state-send-slaveof-noone|failover-state-wait-promotion|slave|sentinel) /m, `${s.impl}: ${events}`);
    await waitFor(() => read(reconfigured) !== '', 10000, `${s.impl}'s reconfig script`);
  }
  // The leader's script also saw the election and the failover steps that are warnings.
  const leader = sentinels.find(({ reconfigured }) => read(reconfigured).includes(' leader start '));
  assert.ok(leader, 'a leader ran its reconfig script');
  const leaderEvents = read(leader.notified);
  // (An observer may take the new configuration before it sees the master down itself.)
  assert.match(leaderEvents, new RegExp(`^\\+sdown master mymaster ${from}$`, 'm'), leaderEvents);
  assert.match(leaderEvents, new RegExp(`^\\+odown master mymaster ${from} #quorum \\d+/2$`, 'm'), leaderEvents);
  for (const e of ['+new-epoch', '+try-failover', '+elected-leader', '+failover-state-select-slave', '+selected-slave', '+promoted-slave', '+failover-state-reconf-slaves', '+failover-end', '+switch-master']) {
    assert.match(leaderEvents, new RegExp(`^\\${e} `, 'm'), `${leader.s.impl} leader: ${e} in ${leaderEvents}`);
  }
  const calls = sentinels.map(({ reconfigured }) => read(reconfigured).trim());
  assert.equal(calls.filter((c) => c === `mymaster leader start ${from} ${to}`).length, 1, calls.join(' | '));
  assert.equal(calls.filter((c) => c === `mymaster observer start ${from} ${to}`).length, 2, calls.join(' | '));
  assert.equal(tsStderr(all), '');
});
