#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with node's built-in runner.
// Usage: node scripts/run-tests.mjs [unit|integration|<substring>...]
// "unit" = everything outside test/integration and test/partition; "integration" = those two
// (real processes; test/partition also needs root and skips without it).
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
const r = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
