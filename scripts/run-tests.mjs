#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with node's built-in runner.
// Usage: node scripts/run-tests.mjs [unit|integration|<substring>...]
// "unit" = everything outside test/integration and test/partition; "integration" = those two
// (real processes; test/partition also needs root and skips without it, and runs last, alone).
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
let files = walk(testRoot).sort();
const isIntegration = (f) => ['integration', 'partition'].includes(relative(testRoot, f).split(sep)[0]);
for (const f of filters) {
  if (f === 'unit') files = files.filter((x) => !isIntegration(x));
  else if (f === 'integration') files = files.filter(isIntegration);
  else files = files.filter((x) => x.includes(f));
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// The partition tests compare timings (how soon a fence comes, what a partition loses) between
// runs of the same file: they run last, one file at a time, with nothing else competing for the
// CPU (another file's processes slowed the fence by ~0.7 s in CI).
const alone = (f) => relative(testRoot, f).split(sep)[0] === 'partition';
const batches = [
  { files: files.filter((f) => !alone(f)), concurrency },
  { files: files.filter(alone), concurrency: '1' },
].filter((b) => b.files.length > 0);
let status = 0;
for (const b of batches) {
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${b.concurrency}`, '--test-reporter=spec', ...b.files], { stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
