/**
 * The writer a partition scenario runs in the client host's namespace
 * (`node dist/test/partition/writer.js <json options>`): an ioredis client connected through the
 * sentinels RPUSHes 1, 2, 3, ... to one list, one write at a time, at most one every intervalMs,
 * and reports every outcome on stdout:
 *   ready <ms>                      the first connection is up, writing starts
 *   conn <ms> <ip>:<port>           (re)connected to this server
 *   ack <n> <sent ms> <reply ms>    the server acknowledged write n
 *   err <n> <sent ms> <reply ms> <message>
 *   end <ms>                        the client gave up for good and was replaced (see below)
 *   done <writes attempted>         after stdin ends (the last write settled first)
 * Lost writes are then the acknowledged numbers missing from the final master's list.
 *
 * Client settings, and why: a write is attempted only while connected (no offline queue) and
 * never retried (maxRetriesPerRequest 0), so each number is sent at most once; commandTimeout
 * 1000 makes a write to a paused master fail instead of waiting for the pause to end; short
 * connect timeouts and fixed 50 ms retries, so that reaching a sentinel on the far side of a
 * partition fails fast and the client rediscovers the master as soon as a sentinel names a new
 * one; the failover detector (subscribed to +switch-master) drops the connection at a switch;
 * READONLY (a demoted master) reconnects through the sentinels.
 *
 * ioredis 6.0.0 can give up for good (status "end", every command then fails with "Connection is
 * closed."): when the failover detector sees +switch-master while the client is resolving the
 * master through a sentinel, the resolution is aborted and the connect promise rejects, which
 * ends the client whatever the retry strategy says (seen in about half of the killMaster runs).
 * An application would have to do the same as this writer: replace the client at once.
 */
import readline from 'node:readline';
import { Redis } from 'ioredis';

interface WriterOptions {
  sentinels: { host: string; port: number }[];
  name: string;
  key: string;
  intervalMs: number;
  commandTimeoutMs: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as WriterOptions;
const say = (line: string): boolean => process.stdout.write(line + '\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function connect(): Redis {
  const client = new Redis({
  sentinels: opts.sentinels,
  name: opts.name,
  commandTimeout: opts.commandTimeoutMs,
  maxRetriesPerRequest: 0,
  enableOfflineQueue: false,
  connectTimeout: 500,
  sentinelCommandTimeout: 500,
  retryStrategy: () => 50,
  sentinelRetryStrategy: () => 50,
  sentinelReconnectStrategy: () => 200,
  failoverDetector: true,
  disableClientInfo: true,
  reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 1 : false),
  });
  client.on('error', () => {});
  client.on('ready', () => {
    const s = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    say(`conn ${Date.now()} ${s?.remoteAddress ?? '?'}:${s?.remotePort ?? '?'}`);
  });
  client.on('end', () => {
    if (!running || client !== current) return;
    say(`end ${Date.now()}`);
    current = connect();
  });
  return client;
}

let running = true;
let current = connect();
readline.createInterface({ input: process.stdin }).on('close', () => (running = false));

async function main(): Promise<void> {
  while (current.status !== 'ready') {
    if (!running) break;
    await sleep(10);
  }
  say(`ready ${Date.now()}`);
  let n = 0;
  while (running) {
    const id = ++n;
    const sent = Date.now();
    try {
      await current.rpush(opts.key, String(id));
      say(`ack ${id} ${sent} ${Date.now()}`);
    } catch (e) {
      say(`err ${id} ${sent} ${Date.now()} ${(e as Error).message.replace(/\s+/g, ' ')}`);
    }
    await sleep(Math.max(0, sent + opts.intervalMs - Date.now()));
  }
  say(`done ${n}`);
  current.disconnect();
  setTimeout(() => process.exit(0), 100).unref();
}

void main();
