/**
 * Smoke test of the playground (`npm run demo`, dist/scripts/demo.js): it brings up the topology,
 * shows it converged, prints events, and on Ctrl-C or after --duration stops every process it
 * started and removes its files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { spawnTracked } from '../helpers/pids.js';
import { waitFor } from '../helpers/wait.js';

const DEMO = path.join(ROOT, 'dist/scripts/demo.js');

interface Started {
  role: string;
  port: number;
  pid: number;
  files: string;
}

/** The rows of the table of started processes. */
function startedProcesses(out: string): Started[] {
  const rows: Started[] = [];
  for (const m of out.matchAll(/^\s+(master|replica\d|sentinel\d)\s+\S+\s+127\.0\.0\.1:(\d+)\s+(\d+)\s+(\S+)$/gm)) {
    rows.push({ role: m[1]!, port: Number(m[2]), pid: Number(m[3]), files: m[4]! });
  }
  return rows;
}

/** True when the last topology table shows 3 sentinels, each with 2 healthy replicas and 2 healthy peers. */
function converged(out: string): boolean {
  const chunks = out.split('topology as the sentinels see it:');
  if (chunks.length < 2) return false;
  const last = chunks[chunks.length - 1]!;
  const ok = last.match(/^\s+:\d+\s+127\.0\.0\.1:\d+\s+ok\s+\d+\s+-\s+:\d+ ok, :\d+ ok\s+:\d+ ok, :\d+ ok$/gm) ?? [];
  return ok.length === 3;
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function startDemo(args: string[]): { out: () => string; err: () => string; exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void } {
  const c = spawnTracked(process.execPath, [DEMO, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => c.on('close', (code) => r(code)));
  return { out: () => out, err: () => err, exited, kill: (s) => void c.kill(s) };
}

async function assertCleanedUp(procs: Started[]): Promise<void> {
  assert.equal(procs.length, 6, 'the demo listed 6 processes');
  await waitFor(() => procs.every((p) => !alive(p.pid)), 5000, `every process of the demo to be gone (${procs.map((p) => p.pid).join(' ')})`);
  for (const p of procs) {
    const dir = p.files.endsWith('.conf') ? path.dirname(p.files) : p.files;
    assert.equal(fs.existsSync(dir), false, `${dir} of ${p.role} removed`);
  }
}

test('the playground converges, shows events, and Ctrl-C stops everything it started', async () => {
  const d = startDemo([]);
  try {
    await waitFor(() => converged(d.out()), 20000, `the demo to show a converged topology; output so far:\n${d.out()}`);
    assert.match(d.out(), /\[sentinel :\d+\] \+sentinel sentinel [0-9a-f]{40} 127\.0\.0\.1 \d+ @ mymaster /);
    assert.match(d.out(), /redis-cli -p \d+ sentinel masters/);
    assert.match(d.out(), /bin\/sentinel-ts drill --sentinel 127\.0\.0\.1:\d+ --master mymaster +# a switchover under write load/);
    // Each sentinel's dashboard, at the address shown.
    const urls = [...d.out().matchAll(/^\s+sentinel\d\s+(http:\/\/127\.0\.0\.1:\d+\/ui\/)$/gm)].map((m) => m[1]!);
    assert.equal(urls.length, 3, 'three dashboard addresses');
    for (const url of urls) {
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      assert.match(await res.text(), /<html/i);
    }
  } finally {
    d.kill('SIGINT');
  }
  assert.equal(await d.exited, 0);
  assert.match(d.out(), /Ctrl-C: stopping every process/);
  assert.match(d.out(), /All stopped/);
  assert.equal(d.err(), '');
  await assertCleanedUp(startedProcesses(d.out()));
});

test('--duration makes the playground stop by itself', async () => {
  const d = startDemo(['--duration', '3']);
  assert.equal(await d.exited, 0);
  assert.match(d.out(), /--duration 3 s elapsed: stopping every process/);
  assert.equal(d.err(), '');
  await assertCleanedUp(startedProcesses(d.out()));
});
