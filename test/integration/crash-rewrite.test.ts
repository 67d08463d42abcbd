import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startSentinel } from '../helpers/sentinels.js';
import { sleep } from '../helpers/wait.js';

/** Fires config-changing commands as fast as possible until the connection dies. */
function hammer(port: number): { stop: () => void } {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.on('data', () => {});
  let i = 0;
  let stopped = false;
  const tick = (): void => {
    if (stopped || s.destroyed) return;
    const batch: string[] = [];
    for (let k = 0; k < 20; k++, i++) {
      batch.push(`SENTINEL SET mymaster quorum ${1 + (i % 3)}\r\n`, `SENTINEL SET mymaster down-after-milliseconds ${5000 + (i % 1000)}\r\n`, 'SENTINEL FLUSHCONFIG\r\n');
    }
    s.write(batch.join(''), () => setImmediate(tick));
  };
  s.on('connect', tick);
  return {
    stop: () => {
      stopped = true;
      s.destroy();
    },
  };
}

test('kill -9 in the middle of config rewrites, again and again: the file is always complete and loadable', async () => {
  const s = await startSentinel({ lines: ['sentinel monitor mymaster 127.0.0.1 1 2', '# a user comment that must survive'] });
  try {
    for (let round = 0; round < 12; round++) {
      const h = hammer(s.port);
      await sleep(100 + round * 17);
      await s.kill9();
      h.stop();
      const text = fs.readFileSync(s.confPath, 'utf8');
      assert.match(text, /# a user comment that must survive/);
      const cfg = loadConfig(s.confPath, [], { cwd: path.dirname(s.confPath) });
      assert.equal(cfg.masters.length, 1, `round ${round}`);
      assert.match(cfg.sentinel.myid ?? '', /^[0-9a-f]{40}$/);
      await s.restart();
      // A kill may leave a temporary file behind; the next start removes it.
      assert.deepEqual(fs.readdirSync(path.dirname(s.confPath)).filter((f) => f.includes('.tmp-')), []);
    }
  } finally {
    await s.stop();
  }
});
