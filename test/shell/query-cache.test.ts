/** QueryCache: an answer is reused only within the same millisecond and with nothing changed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryCache } from '../../src/shell/query-cache.js';

test('built once per key while the ms and the state stay the same; rebuilt after either changes', () => {
  const c = new QueryCache<string>(true);
  let builds = 0;
  const get = (key: string, now: number): string => c.get(2, 'q', key, now, () => `${key}@${now}#${++builds}`);
  assert.equal(get('a', 1000.2), 'a@1000.2#1');
  assert.equal(get('a', 1000.9), 'a@1000.2#1', 'same ms: the kept answer');
  assert.equal(get('b', 1000.5), 'b@1000.5#2', 'another key is its own answer');
  assert.equal(get('a', 1001), 'a@1001#3', 'the next ms: built again');
  c.invalidate();
  assert.equal(get('a', 1001), 'a@1001#4', 'after a change of state: built again in the same ms');
  assert.equal(get('a', 1001), 'a@1001#4');
  assert.equal(get('b', 1001), 'b@1001#5', 'the change dropped every key');
  assert.equal(get('b', 1000), 'b@1000#6', 'a clock going back is a different ms too');
  assert.equal(c.get(3, 'q', 'b', 1000, () => 'resp3'), 'resp3', 'another protocol is another answer');
  assert.equal(c.get(2, 'other', 'b', 1000, () => 'other'), 'other', 'another question is another answer');
  assert.equal(get('b', 1000), 'b@1000#6');
});

test('untimed answers are kept across milliseconds until the state changes; the version moves with every drop', () => {
  const c = new QueryCache<string>(false);
  let builds = 0;
  const get = (now: number): string => c.get(2, 'q', 'a', now, () => `#${++builds}`);
  const v0 = c.version(1000);
  assert.equal(get(1000), '#1');
  assert.equal(get(5000), '#1', 'a later ms: still the kept answer');
  assert.equal(c.version(5000), v0, 'and the same version');
  c.invalidate();
  const v1 = c.version(5000);
  assert.notEqual(v1, v0, 'a change of state moves the version on at once');
  assert.equal(get(5000), '#2');
  assert.equal(c.version(6000), v1);
  const t = new QueryCache<string>(true);
  const w = t.version(1000.1);
  assert.equal(t.version(1000.9), w, 'timed: the same ms, the same version');
  assert.notEqual(t.version(1001), w, 'timed: the next ms, another');
});
