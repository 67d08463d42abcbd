/**
 * Loopback ports for real servers started by tests, the demo and the benchmarks.
 *
 * A port handed out here cannot collide:
 * - with another port handed out by this process (a per-process set);
 * - with a port handed out by another process using this module at the same time, such as test
 *   files running concurrently: every port is reserved by a lock file created with O_EXCL under
 *   `<tmpdir>/sentinel-ts-ports-<uid>/`, holding the owner's pid; a reservation whose owner is dead is
 *   taken over, and this process's reservations are removed when it exits;
 * - with outgoing connections of any program on the machine: ports come from below the kernel's
 *   ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), where connect() never picks a
 *   local port, so nothing can grab one between the check and the server's bind;
 * - with Redis's own test suites (20000-21023 sentinels, 30000-31023 servers, and those +10000)
 *   and the usual 6379/26379, which this range avoids;
 * - with anything already listening: each candidate is bound on 127.0.0.1 before it is handed out.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from './pids.js';

const handedOut = new Set<number>();
const reservations = new Set<string>();
const lockDir = path.join(os.tmpdir(), `sentinel-ts-ports-${process.getuid?.() ?? 0}`);

/** Port ranges (inclusive) that are never handed out, even when below the ephemeral range. */
const AVOID: Array<[number, number]> = [
  [20000, 21023],
  [30000, 31023],
];

function ephemeralLow(): number {
  try {
    const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    if (Number.isInteger(n) && n > 1024) return n;
  } catch {
    // not Linux, or /proc is not mounted: assume the IANA range
  }
  return 49152;
}

/** The range candidates are drawn from: [22000, ephemeral low) when that is wide enough. */
function candidateRange(): [number, number] {
  const high = Math.min(ephemeralLow(), 65536) - 1;
  const low = 22000;
  return high - low >= 1000 ? [low, high] : [10000, 19999];
}

const avoided = (p: number): boolean => AVOID.some(([a, b]) => p >= a && p <= b);

/** Whether `port` can be bound on 127.0.0.1 right now (nothing listens on it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}


/** Takes the cross-process lock for `port`; false when a live process holds it. */
function reserve(port: number): boolean {
  fs.mkdirSync(lockDir, { recursive: true });
  const file = path.join(lockDir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      reservations.add(file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = 0;
    try {
      owner = Number(fs.readFileSync(file, 'utf8').trim());
    } catch {
      continue; // released in the meantime: try again
    }
    if (owner === process.pid || (owner > 0 && pidAlive(owner))) return false;
    // Stale: its owner died without cleaning up. Whoever unlinks it first gets to retry.
    try {
      fs.unlinkSync(file);
    } catch {
      return false;
    }
  }
  return false;
}

function releaseAll(): void {
  for (const f of reservations) {
    try {
      if (fs.readFileSync(f, 'utf8').trim() === String(process.pid)) fs.unlinkSync(f);
    } catch {
      // already gone
    }
  }
  reservations.clear();
}
process.on('exit', releaseAll);

/** Drops the reservations of processes that died without releasing them. */
function sweepStale(): void {
  let names: string[];
  try {
    names = fs.readdirSync(lockDir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(lockDir, name);
    try {
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner > 0 && owner !== process.pid && !pidAlive(owner)) fs.unlinkSync(file);
    } catch {
      // raced with its owner or another sweeper
    }
  }
}
sweepStale();

/** Hands out a port nobody listens on, that no other caller of this module holds. */
export async function freePort(): Promise<number> {
  return freePortBlock(1);
}

/**
 * Hands out `count` consecutive free ports and returns the first: base, base+1, ... base+count-1
 * are all checked and reserved (for a server that also needs port+1, a TLS port, and so on).
 */
export async function freePortBlock(count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`freePortBlock: bad count ${count}`);
  const [low, high] = candidateRange();
  for (let attempt = 0; attempt < 500; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count + 2));
    const block = Array.from({ length: count }, (_, i) => base + i);
    if (block.some((p) => handedOut.has(p) || avoided(p) || p > high)) continue;
    const taken: number[] = [];
    let ok = true;
    for (const p of block) {
      if (!reserve(p)) {
        ok = false;
        break;
      }
      taken.push(p);
      if (!(await isPortFree(p))) {
        ok = false;
        break;
      }
    }
    if (ok) {
      for (const p of block) handedOut.add(p);
      return base;
    }
    for (const p of taken) {
      const f = path.join(lockDir, String(p));
      reservations.delete(f);
      try {
        fs.unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }
  throw new Error(`no block of ${count} free loopback port(s) found in ${low}-${high}`);
}
