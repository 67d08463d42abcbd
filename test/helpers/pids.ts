/**
 * Tracking and killing the processes the tests, the demo playground and the benchmarks start,
 * and their temp dirs. Nothing is ever left running or lying around:
 * - every process started through spawnTracked is tracked by pid; `stop()`/`stopAll()` end them
 *   when a test ends;
 * - on process exit (normal end, process.exit, an uncaught error) an 'exit' hook SIGKILLs every
 *   pid still tracked and removes every temp dir made here;
 * - on SIGINT/SIGTERM/SIGHUP the same happens and the process exits, unless the program has its
 *   own handler for that signal (the demo stops things gracefully itself; the exit hook still
 *   catches anything it missed);
 * - a process that dies without running any hook (SIGKILL, OOM) leaves a record in
 *   `<tmpdir>/sentinel-ts-harness-<uid>/<pid>.json`; the next process loading this module kills the
 *   pids listed there (only if /proc shows the same process, by start time) and removes the dirs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Tracked {
  pid: number;
  /** Field 22 of /proc/<pid>/stat, to tell the process from a later one reusing its pid. */
  start: string;
  what: string;
}

const live = new Map<number, Tracked>();
const tempDirs = new Set<string>();
const recordDir = path.join(os.tmpdir(), `sentinel-ts-harness-${process.getuid?.() ?? 0}`);
const recordFile = path.join(recordDir, `${process.pid}.json`);

/** Removes a directory tree; never throws (a dying process may still be writing into it). */
function rmDir(d: string): void {
  // SENTINEL_TS_KEEP_DIRS=1 keeps every temp dir (configs, logs) for a post-mortem.
  if (process.env['SENTINEL_TS_KEEP_DIRS']) return;
  try {
    fs.rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  } catch {
    // left for the next sweep
  }
}

function procStart(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function writeRecord(): void {
  try {
    if (live.size === 0 && tempDirs.size === 0) {
      fs.rmSync(recordFile, { force: true });
      return;
    }
    fs.mkdirSync(recordDir, { recursive: true });
    fs.writeFileSync(recordFile, JSON.stringify({ owner: process.pid, pids: [...live.values()], dirs: [...tempDirs] }));
  } catch {
    // the record is a safety net only
  }
}

/** Kills what processes that died without cleaning up left behind. */
function sweepOrphans(): void {
  let names: string[];
  try {
    names = fs.readdirSync(recordDir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = Number(name.replace(/\.json$/, ''));
    if (!Number.isInteger(owner) || owner === process.pid) continue;
    try {
      process.kill(owner, 0);
      continue; // its owner is alive and will clean up itself
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    const file = path.join(recordDir, name);
    try {
      const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as { pids?: Tracked[]; dirs?: string[] };
      for (const p of rec.pids ?? []) {
        if (p.start && procStart(p.pid) === p.start) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
      }
      for (const d of rec.dirs ?? []) if (d.startsWith(os.tmpdir() + path.sep)) rmDir(d);
    } catch {
      // unreadable: just drop it
    }
    fs.rmSync(file, { force: true });
  }
}
sweepOrphans();

/** Tracks a pid this process is responsible for (e.g. a daemon read from a pidfile). */
export function trackPid(pid: number, what = 'process'): void {
  if (!(pid > 0)) return;
  live.set(pid, { pid, start: procStart(pid), what });
  writeRecord();
}

export function untrackPid(pid: number): void {
  if (live.delete(pid)) writeRecord();
}

/** Every pid currently tracked (processes started here and not yet seen exiting). */
export function trackedPids(): number[] {
  return [...live.keys()];
}

/** Kills every tracked pid with SIGKILL and removes every temp dir; synchronous. */
export function killEverything(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const d of tempDirs) rmDir(d);
  tempDirs.clear();
  writeRecord();
}

process.on('exit', killEverything);
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
for (const sig of Object.keys(SIGNAL_NUMBERS) as Array<keyof typeof SIGNAL_NUMBERS>) {
  process.on(sig, () => {
    // Someone else handles this signal (and will exit): the 'exit' hook cleans up after it.
    if (process.listenerCount(sig) > 1) return;
    killEverything();
    process.exit(128 + SIGNAL_NUMBERS[sig]);
  });
}

/** Spawns a process and tracks its pid until it exits. */
export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, opts);
  const pid = child.pid;
  if (pid) trackPid(pid, `${path.basename(cmd)} ${args.join(' ')}`.slice(0, 200));
  child.on('exit', () => {
    if (pid) untrackPid(pid);
  });
  child.on('error', () => {
    // a spawn failure shows as a missing pid and an early exit; the caller reports it
  });
  return child;
}

/** How a process run to its end went (see runToExit). */
export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Time from spawn to the process's exit (-1 when it was still running at the timeout). */
  exitedAfterMs: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd` (tracked) until it exits by itself, collecting its output; SIGKILL after
 * `timeoutMs`, so a process that wrongly keeps running ends and the caller fails on its code.
 */
export function runToExit(cmd: string, args: string[], opts: SpawnOptions = {}, timeoutMs = 10000): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const c = spawnTracked(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    let exitedAfterMs = -1;
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, exitedAfterMs });
    };
    // 'close' comes once the output is read to its end ('exit' may come before the last of it).
    // A daemon that kept the launcher's pipes open would delay it forever: then settle for
    // 'exit' and what was read within 1 s.
    c.on('close', finish);
    c.on('exit', (code, signal) => {
      exitedAfterMs = Date.now() - started;
      setTimeout(() => finish(code, signal), 1000).unref();
    });
  });
}

/** A fresh temp dir, removed when the process exits (or by `removeTempDir`). */
export function tempDir(prefix = 'sentinel-ts-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  writeRecord();
  return d;
}

export function removeTempDir(d: string): void {
  rmDir(d);
  if (tempDirs.delete(d)) writeRecord();
}

/** Resident memory of a live process, in MB (from /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Whether a process with this pid exists (EPERM: it does, but is not ours to signal). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
