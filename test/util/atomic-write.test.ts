import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeStaleTemps, writeFileAtomic } from '../../src/util/atomic-write.js';
import { loadConfig } from '../../src/config/load.js';
import { rewriteConfigFile } from '../../src/config/rewrite.js';
import { box, writeConf } from '../config/helpers.js';

const entries = (d: string): string[] => fs.readdirSync(d).sort();
const ATOMIC_WRITE_JS = fileURLToPath(new URL('../../src/util/atomic-write.js', import.meta.url));

test('a successful write replaces the file by rename and leaves no temporary file', () => {
  const d = box();
  const file = writeConf(d, 'old\n');
  const before = fs.statSync(file).ino;
  const listing = entries(d);
  writeFileAtomic(file, 'new content\n');
  assert.equal(fs.readFileSync(file, 'utf8'), 'new content\n');
  assert.notEqual(fs.statSync(file).ino, before, 'a new inode: renamed over, not rewritten in place');
  assert.equal(fs.statSync(file).mode & 0o777, 0o644 & ~process.umask());
  assert.deepEqual(entries(d), listing);
  writeFileAtomic(path.join(d, 'fresh.conf'), 'x');
  assert.deepEqual(entries(d), [...listing, 'fresh.conf'].sort());
  // Bytes are written as given, whatever their size.
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0xe9);
  writeFileAtomic(file, big);
  assert.ok(fs.readFileSync(file).equals(big));
  writeFileAtomic(file, '');
  assert.equal(fs.readFileSync(file, 'utf8'), '');
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
  assert.throws(() => rewriteConfigFile(cfg), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
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

test('a directory that cannot be written: the write fails, the old file is intact', () => {
  const d = box();
  const file = writeConf(d, 'old\n');
  fs.chmodSync(d, 0o755);
  fs.chmodSync(file, 0o666);
  const script = `
    const { writeFileAtomic } = await import(${JSON.stringify(ATOMIC_WRITE_JS)});
    try { writeFileAtomic(${JSON.stringify(file)}, 'new\\n'); console.log('written'); } catch (e) { console.log(e.code); }`;
  // root passes every permission check: write as an unprivileged user then.
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) fs.chmodSync(d, 0o555);
  try {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: d, encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    assert.equal(r.stdout.trim(), 'EACCES', r.stderr);
  } finally {
    fs.chmodSync(d, 0o755);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
  assert.deepEqual(entries(d).filter((n) => n.includes('.tmp-')), []);
});

test('a reader never sees a partial file while another process rewrites it again and again', async () => {
  const d = box();
  const file = path.join(d, 'sentinel.conf');
  const a = `${'a'.repeat(200_000)}\n`;
  const b = `${'b'.repeat(300_000)}\n`;
  fs.writeFileSync(file, a);
  const script = `
    const { writeFileAtomic } = await import(${JSON.stringify(ATOMIC_WRITE_JS)});
    const a = 'a'.repeat(200000) + '\\n', b = 'b'.repeat(300000) + '\\n';
    for (let i = 0; i < 300; i++) writeFileAtomic(${JSON.stringify(file)}, i % 2 ? a : b);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
  let done = false;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => ((done = true), r(code))));
  let reads = 0;
  while (!done) {
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text === a || text === b, `a torn read of ${text.length} bytes`);
    reads++;
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await exited, 0);
  assert.ok(reads > 0);
  assert.deepEqual(entries(d).filter((n) => n.startsWith('sentinel.conf')), ['sentinel.conf']);
});

test('removeStaleTemps removes what a crash left (our temporary names only)', () => {
  const d = box();
  const file = writeConf(d, 'x\n');
  for (const n of ['sentinel.conf.tmp-123-abcdef', 'sentinel.conf.tmp-9-0', 'sentinel.conf.bak', 'other.conf.tmp-1-2', 'sentinel.conf.XXXXXX']) fs.writeFileSync(path.join(d, n), '');
  removeStaleTemps(file);
  assert.deepEqual(entries(d).filter((n) => n.includes('.conf')), ['other.conf.tmp-1-2', 'sentinel.conf', 'sentinel.conf.XXXXXX', 'sentinel.conf.bak']);
  removeStaleTemps(path.join(d, 'missing-dir', 'x.conf')); // nothing to do, no error
});
