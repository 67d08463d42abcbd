import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../src/config/atomic-write.js';
import { loadConfig } from '../../src/config/load.js';
import { rewriteConfigFile } from '../../src/config/rewrite.js';
import { removeSandbox, sandbox, writeConf } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeSandbox));
function box(): string {
  const d = sandbox();
  dirs.push(d);
  return d;
}
const entries = (d: string): string[] => fs.readdirSync(d).sort();

test('a successful write replaces the file by rename and leaves no temporary file', () => {
  const d = box();
  const file = writeConf(d, 'old\n');
  const before = fs.statSync(file).ino;
  const listing = entries(d);
  writeFileAtomic(file, 'new content\n');
  assert.equal(fs.readFileSync(file, 'utf8'), 'new content\n');
  assert.notEqual(fs.statSync(file).ino, before, 'a new inode: renamed over, not rewritten in place');
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.deepEqual(entries(d), listing);
  writeFileAtomic(path.join(d, 'fresh.conf'), 'x');
  assert.deepEqual(entries(d), [...listing, 'fresh.conf'].sort());
});

test('a directory standing at the path: the write fails, the directory and its content stay, no temporary file', () => {
  const d = box();
  const target = path.join(d, 'sentinel.conf');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'inside'), 'keep me');
  const listing = entries(d);
  assert.throws(() => writeFileAtomic(target, 'data'), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
  assert.ok(fs.statSync(target).isDirectory());
  assert.equal(fs.readFileSync(path.join(target, 'inside'), 'utf8'), 'keep me');
  assert.deepEqual(entries(d), listing);
});

test('rewriteConfigFile onto a directory (the official "save new config to disk failed" case) fails cleanly', () => {
  const d = box();
  const file = writeConf(d, 'sentinel monitor mymaster 127.0.0.1 6379 2\n');
  const cfg = loadConfig('sentinel.conf', [], { cwd: d });
  cfg.sentinel.myid = 'a'.repeat(40);
  fs.renameSync(file, `${file}.bak`);
  fs.mkdirSync(file);
  const listing = entries(d);
  assert.throws(() => rewriteConfigFile(cfg));
  assert.ok(fs.statSync(file).isDirectory());
  assert.deepEqual(fs.readdirSync(file), []);
  assert.deepEqual(entries(d), listing);
  // Once the file is back, the rewrite works and leaves only the file behind.
  fs.rmdirSync(file);
  fs.renameSync(`${file}.bak`, file);
  rewriteConfigFile(cfg);
  assert.ok(fs.readFileSync(file, 'utf8').includes(`sentinel myid ${'a'.repeat(40)}\n`));
  assert.deepEqual(entries(d), listing.filter((x) => x !== 'sentinel.conf.bak'));
});

test('a missing directory: the write fails and creates nothing', () => {
  const d = box();
  assert.throws(() => writeFileAtomic(path.join(d, 'no', 'such', 'sentinel.conf'), 'x'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  assert.ok(!fs.existsSync(path.join(d, 'no')));
});
