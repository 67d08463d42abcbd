/** Talking to servers by hand: raw bytes on a fresh connection, an open socket, PING, and redis-cli. */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { REDIS_CLI } from './paths.js';

/** Sends raw bytes on a fresh connection and returns what came back up to the first complete line. */
export function rawCommand(port: number, data: string | Buffer, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, timeoutMs);
    s.on('data', (d) => {
      out += d.toString();
      if (out.endsWith('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.write(data);
  });
}

/** An open TCP connection to 127.0.0.1:`port`, to drive the protocol by hand. */
export function connectRaw(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** True when the server answers an inline PING with a `+` or `-` line (how Redis's own harness checks). */
export async function pingOk(port: number): Promise<boolean> {
  try {
    const r = await rawCommand(port, 'PING\r\n', 500);
    return r.startsWith('+') || r.startsWith('-');
  } catch {
    return false;
  }
}

/** Runs the real `/usr/bin/redis-cli -p <port> ...args` and returns its stdout. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, ['-p', String(port), ...args], { timeout: 10000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * A RESP2-flattened map (name, value, name, value, ...), as SENTINEL MASTER or a DRYRUN plan
 * reaches ioredis's `call`, as a Map. Values are left as they came (strings, numbers, arrays).
 */
export function pairsToMap<V = unknown>(list: unknown): Map<string, V> {
  const a = list as unknown[];
  const m = new Map<string, V>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(String(a[i]), a[i + 1] as V);
  return m;
}
