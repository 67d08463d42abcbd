/**
 * Watching a sentinel and probing a server from integration tests: the events a sentinel
 * publishes, and how long a write takes (a paused master holds writes back).
 */
import { Redis } from 'ioredis';

/** Events (`<channel> <message>`) a sentinel publishes from now on; hellos are left out. */
export async function watchEvents(port: number, host = '127.0.0.1'): Promise<{ events: string[]; stop(): void }> {
  const sub = new Redis({ port, host }).on('error', () => {});
  const events: string[] = [];
  sub.on('pmessage', (_p: string, ch: string, msg: string) => {
    if (ch !== '__sentinel__:hello') events.push(`${ch} ${msg}`);
  });
  await sub.psubscribe('*');
  return { events, stop: () => sub.disconnect() };
}

/** Time for a SET on `port` to be answered, in ms (a paused master holds it back). */
export async function setLatency(port: number, timeoutMs = 15000): Promise<number> {
  const c = new Redis({ port, maxRetriesPerRequest: 1, commandTimeout: timeoutMs }).on('error', () => {});
  try {
    const t0 = performance.now();
    await c.set('probe', String(t0));
    return performance.now() - t0;
  } finally {
    c.disconnect();
  }
}
