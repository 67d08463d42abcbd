/**
 * Small helpers shared by the side-by-side benchmarks (query, storm, scale): argument parsing,
 * medians and ratios, the figures /proc gives about a process (CPU ticks, RSS, the open-files
 * limit), a one-shot RESP request, and the result table.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { REDIS_SENTINEL } from '../test/helpers/paths.js';
import type { SentinelImpl } from '../test/helpers/sentinels.js';
import { RespReader, command } from './resp-lite.js';
import type { RespValue } from './resp-lite.js';

export type ImplChoice = SentinelImpl | 'both';

/**
 * Parses `--name value` options (and bare `--flag`s listed in `flags`) against `defaults`; the
 * type of each default decides how its value is read. Unknown options are an error.
 */
export function parseOptions<T extends Record<string, number | string | boolean>>(defaults: T, usage: string): T {
  const out: Record<string, number | string | boolean> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const key = a.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!a.startsWith('--') || !(key in defaults)) {
      process.stderr.write(`unknown argument ${a}\n${usage}\n`);
      process.exit(2);
    }
    const d = defaults[key];
    if (typeof d === 'boolean') {
      out[key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) {
      process.stderr.write(`${a} needs a value\n${usage}\n`);
      process.exit(2);
    }
    if (typeof d === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) {
        process.stderr.write(`${a}: not a number: ${v}\n`);
        process.exit(2);
      }
      out[key] = n;
    } else {
      out[key] = v;
    }
  }
  return out as T;
}

/** The implementations to run, in the order they alternate; redis-sentinel is dropped (with a note) when missing. */
export function implList(choice: string): SentinelImpl[] {
  if (choice !== 'ts' && choice !== 'redis' && choice !== 'both') throw new Error(`--impl must be ts, redis or both (got ${choice})`);
  const impls: SentinelImpl[] = choice === 'both' ? ['ts', 'redis'] : [choice];
  if (impls.includes('redis') && !fs.existsSync(REDIS_SENTINEL)) {
    process.stdout.write(`${REDIS_SENTINEL} not found: measuring sentinel-ts only\n`);
    return impls.filter((i) => i !== 'redis');
  }
  return impls;
}

export const implLabel = (impl: SentinelImpl): string => (impl === 'ts' ? 'sentinel-ts' : 'redis-sentinel');

export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The value at fraction `p` of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export function fmt(x: number, digits = 0): string {
  return Number.isNaN(x) ? '-' : x.toFixed(digits);
}

export function ratio(ours: number, theirs: number): string {
  return Number.isNaN(ours) || Number.isNaN(theirs) || theirs === 0 ? '-' : (ours / theirs).toFixed(2);
}

/** Prints rows as left-aligned columns under a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)) + 2);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('').trimEnd();
  process.stdout.write(`${line(header)}\n${line(header.map((h) => '-'.repeat(h.length)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

// ---------------------------------------------------------------------------------------------
// /proc.

let clkTck = 0;
/** Clock ticks per second of /proc/<pid>/stat times. */
export function clockTicks(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (in parentheses, may hold spaces): index 11 = utime (field 14), 12 = stime.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks();
}

/** The soft limit on open files of this process (and of what it spawns), from /proc/self/limits. */
export function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  if (!m) return NaN;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/**
 * TcpExt ListenOverflows from /proc/net/netstat: connection attempts the kernel dropped because
 * a listener's accept queue was full (counted for the whole network namespace).
 */
export function listenOverflows(): number {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i++) {
      if (!lines[i]!.startsWith('TcpExt:') || !lines[i + 1]!.startsWith('TcpExt:')) continue;
      const names = lines[i]!.split(/\s+/);
      const values = lines[i + 1]!.split(/\s+/);
      const get = (n: string): number => Number(values[names.indexOf(n)] ?? NaN);
      return get('ListenOverflows');
    }
  } catch {
    // not Linux
  }
  return NaN;
}

// ---------------------------------------------------------------------------------------------
// Talking to a server.

/** A connection that sends commands and reads their replies in order. */
export class RespConn {
  private readonly reader = new RespReader();
  private readonly waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  private closedWith: Error | null = null;
  /** Called with every value that answers no request (pub/sub messages). */
  onPush: ((v: RespValue) => void) | null = null;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.reader.feed(d);
      for (let v = this.reader.next(); v !== undefined; v = this.reader.next()) {
        const w = this.waiting.shift();
        if (w) w.resolve(v);
        else this.onPush?.(v);
      }
    });
    const fail = (e: Error): void => {
      this.closedWith ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<RespConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => {
        s.removeListener('error', reject);
        s.setNoDelay(true);
        resolve(new RespConn(s));
      });
      s.once('error', reject);
    });
  }

  call(...args: string[]): Promise<RespValue> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(command(...args));
    });
  }

  /** Sends a command whose replies arrive as pushes (SUBSCRIBE). */
  send(...args: string[]): void {
    this.sock.write(command(...args));
  }

  close(): void {
    this.sock.destroy();
  }
}

/** One request on a fresh connection. */
export async function request(port: number, ...args: string[]): Promise<RespValue> {
  const c = await RespConn.open(port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}
