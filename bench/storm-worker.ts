/**
 * One worker process of the reconnect storm (bench/storm.ts starts K of them, with an IPC
 * channel). Protocol, parent -> worker:
 *   { type: 'prepare', port, count, expect, timeoutMs }  -> replies { type: 'ready' }
 *   { type: 'go', at }       at the absolute time `at` (ms since the epoch, performance.timeOrigin
 *                            based, so comparable across processes), opens `count` connections to
 *                            127.0.0.1:port at once; each sends `SENTINEL get-master-addr-by-name
 *                            mymaster` (RESP) as soon as it is connected and waits for the reply,
 *                            which must be exactly `expect`. When every client has its reply, an
 *                            error, or has timed out -> { type: 'done', ... } (below); the
 *                            connections stay open.
 *   { type: 'close' }        closes every connection and exits.
 * Not meant to be run by hand.
 */
import net from 'node:net';

interface Prepare {
  type: 'prepare';
  port: number;
  count: number;
  expect: string;
  timeoutMs: number;
}

export interface WorkerDone {
  type: 'done';
  /** Absolute ms: the first connect() call, and the last correct reply (NaN if none). */
  start: number;
  lastOk: number;
  ok: number;
  /** Error kind -> count (socket error codes, 'wrong reply', 'error reply: ...', 'closed', 'timeout'). */
  errors: Record<string, number>;
  /** ms from `start` to each correct reply. */
  okTimes: number[];
  /** ms from `start` to each connection's 'connect' event. */
  connectTimes: number[];
}

const REQUEST = '*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n$8\r\nmymaster\r\n';
const now = (): number => performance.timeOrigin + performance.now();

let prep: Prepare | null = null;
const sockets: net.Socket[] = [];

function send(msg: object): void {
  process.send?.(msg);
}

function storm(p: Prepare): void {
  const expect = Buffer.from(p.expect);
  const errors: Record<string, number> = {};
  const okTimes: number[] = [];
  const connectTimes: number[] = [];
  let finished = 0;
  let lastOk = NaN;
  let timer: NodeJS.Timeout | null = null;
  const start = now();
  const report = (): void => {
    if (timer) clearTimeout(timer);
    const done: WorkerDone = { type: 'done', start, lastOk, ok: okTimes.length, errors, okTimes, connectTimes };
    send(done);
  };
  const states: { done: boolean }[] = [];
  const finish = (st: { done: boolean }, error: string | null): void => {
    if (st.done) return;
    st.done = true;
    if (error === null) {
      const t = now();
      lastOk = t;
      okTimes.push(t - start);
    } else {
      errors[error] = (errors[error] ?? 0) + 1;
    }
    if (++finished === p.count) report();
  };
  for (let i = 0; i < p.count; i++) {
    const st = { done: false };
    states.push(st);
    let got: Buffer = Buffer.alloc(0);
    const s = net.connect({ port: p.port, host: '127.0.0.1' });
    sockets.push(s);
    s.setNoDelay(true);
    s.on('connect', () => {
      connectTimes.push(now() - start);
      s.write(REQUEST);
    });
    s.on('data', (d: Buffer) => {
      if (st.done) return;
      got = got.length === 0 ? d : Buffer.concat([got, d]);
      if (got[0] === 0x2d /* - */ && got.includes('\r\n')) {
        finish(st, `error reply: ${got.toString('utf8', 1, Math.min(got.length, 60)).split('\r\n')[0]}`);
      } else if (got.length >= expect.length) {
        finish(st, got.equals(expect) ? null : 'wrong reply');
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => finish(st, e.code ?? e.message));
    s.on('close', () => finish(st, 'closed before the reply'));
  }
  timer = setTimeout(() => {
    for (const st of states) finish(st, 'timeout');
  }, p.timeoutMs);
}

process.on('message', (msg: { type: string; at?: number } & Partial<Prepare>) => {
  if (msg.type === 'prepare') {
    prep = msg as Prepare;
    send({ type: 'ready' });
  } else if (msg.type === 'go' && prep) {
    const p = prep;
    const at = msg.at ?? now();
    // Sleep most of the wait, then spin the last few ms so every worker starts on time.
    const spin = (): void => {
      while (now() < at) {
        // busy-wait
      }
      storm(p);
    };
    const wait = at - now() - 5;
    if (wait > 0) setTimeout(spin, wait);
    else spin();
  } else if (msg.type === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
