/**
 * What parseInfo returns must not keep the INFO text alive: the core holds a server's run id
 * for as long as it stays the same, and with it (before util/detach.ts) the whole reply it was
 * cut from. Measured with a large reply and a forced collection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseInfo } from '../../src/core/info.js';
import { detached } from '../../src/util/detach.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const PAD = 16 * 1024 * 1024;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Parses a reply of 16 MB (built at run time: a literal would live in the code) and returns what the core keeps. */
function parseLarge(i: number): unknown[] {
  const text =
    `# Server\r\nrun_id:${String(i).repeat(40)}\r\nrole:slave\r\nmaster_host:primary-${i}.redis.example.internal\r\n` +
    `slave0:ip=10.200.200.${i}0,port=6379,state=online,offset=1,lag=0\r\n# Pad\r\npad:${'x'.repeat(PAD)}\r\n`;
  const p = parseInfo(text);
  return [p.runId, p.masterHost, p.replicas[0]?.ip];
}

test('the run id, master host and replica addresses parsed from INFO do not retain the reply', () => {
  const before = heapAfterGc();
  const kept: unknown[] = [];
  for (let i = 0; i < 4; i++) kept.push(...parseLarge(i));
  // V8 keeps the subject of the last regular expression match (RegExp.lastMatch): move it off.
  /x/.test('x');
  const grown = heapAfterGc() - before;
  assert.equal(kept.length, 12);
  assert.ok(grown < PAD, `the heap kept ${(grown / 1e6).toFixed(1)} MB after parsing 4 replies of 16 MB`);
});

test('detached: the same text; short strings as they are', () => {
  const long = 'x'.repeat(20) + 'é' + 'y'.repeat(20);
  assert.equal(detached(long.slice(3, 30)), long.slice(3, 30));
  assert.equal(detached('abc'), 'abc');
  assert.equal(detached(''), '');
});
