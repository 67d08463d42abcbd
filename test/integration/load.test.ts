/**
 * A real sentinel under load from many clients: stalled subscribers are dropped at the pub/sub
 * output limit while memory stays bounded, subscribers that read get every event, and a client
 * that pipelines config-rewriting commands does not starve the others.
 * (bench/clients.ts measures the same situations and compares with redis-sentinel.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { rssMb } from '../helpers/pids.js';
import { startSentinel, tsOnly } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { connectRaw as connect, redisCli } from '../helpers/wire.js';

const MASTERS = 40;
const longName = (i: number): string => `m${i}-${'x'.repeat(1000)}`;

test('stalled subscribers are dropped at the 32 MB pub/sub limit with memory bounded; readers get every event; PING is answered', async () => {
  // SENTINEL RESET * makes one ~1 KB +reset-master event per master, with no config rewrite.
  const lines = Array.from({ length: MASTERS }, (_, i) => `sentinel monitor ${longName(i)} 127.0.0.1 1 2`);
  const s = await startSentinel({ lines });
  const sockets: net.Socket[] = [];
  try {
    const STALLED = 10;
    for (let i = 0; i < STALLED; i++) {
      const c = await connect(s.port);
      c.write('PSUBSCRIBE *\r\n');
      c.pause(); // never reads
      sockets.push(c);
    }
    const reader = await connect(s.port);
    sockets.push(reader);
    let readBytes = 0;
    let resetEvents = 0;
    let tail = '';
    reader.on('data', (d: Buffer) => {
      readBytes += d.length;
      const text = tail + d.toString('latin1');
      resetEvents += text.split('+reset-master').length - 1;
      tail = text.slice(-('+reset-master'.length - 1)); // no whole match fits: none is counted twice
    });
    reader.write('SUBSCRIBE +reset-master\r\n');
    const driver = await connect(s.port);
    sockets.push(driver);
    let replies = 0;
    driver.on('data', (d: Buffer) => (replies += (d.toString().match(/:\d+\r\n/g) ?? []).length));
    const probe = await connect(s.port);
    sockets.push(probe);
    let pongs = 0;
    probe.on('data', (d: Buffer) => (pongs += (d.toString().match(/\+PONG/g) ?? []).length));

    // ~80 MB of events for each stalled subscriber, well over the 32 MB hard limit.
    const COMMANDS = 2000;
    let peak = 0;
    // Paced by the reader, which stays within ~2 MB of the flood (redis would rightly drop a
    // reader that falls 32 MB behind, too); the stalled subscribers fall behind without bound.
    for (let sent = 0; sent < COMMANDS; sent += 50) {
      driver.write('SENTINEL RESET *\r\n'.repeat(50));
      probe.write('PING\r\n');
      peak = Math.max(peak, rssMb(s.pid));
      await waitFor(() => resetEvents >= (sent + 50) * MASTERS, 20000, `the reading subscriber to get the events of ${sent + 50} RESETs (got ${resetEvents})`);
    }
    await waitFor(() => replies >= COMMANDS, 60000, 'every RESET answered');
    // A paused socket does not see the close; the server's client list does.
    const stalledLeft = async (): Promise<number> => (await redisCli(s.port, 'client', 'list')).split('\n').filter((l) => l.includes(' psub=1 ')).length;
    assert.equal(await waitFor(async () => ((await stalledLeft()) === 0 ? 'none' : null), 10000, 'every stalled subscriber dropped'), 'none');
    await waitFor(() => pongs === COMMANDS / 50, 10000, 'every PING answered');
    await waitFor(() => resetEvents >= COMMANDS * MASTERS, 20000, `the reading subscriber to get all ${COMMANDS * MASTERS} events (got ${resetEvents})`);
    assert.ok(readBytes > COMMANDS * MASTERS * 1000);
    // Bounded by the limit: at most 32 MB held per stalled subscriber (redis-sentinel copies
    // each event per client and gets close to that). sentinel-ts queues one shared copy of
    // each event, so the subscribers together hold about one limit's worth.
    peak = Math.max(peak, rssMb(s.pid));
    console.log(`# ${s.impl}: peak RSS ${peak.toFixed(0)} MB`);
    assert.ok(peak < STALLED * 32 + 150, `peak RSS ${peak.toFixed(0)} MB`);
    if (s.impl === 'ts') assert.ok(peak < 300, `peak RSS ${peak.toFixed(0)} MB with shared event buffers`);
    assert.match(s.log(), /for overcoming of output buffer limits/);
  } finally {
    for (const c of sockets) c.destroy();
    await s.stop();
  }
});

test('a client pipelining config-rewriting SENTINEL SETs does not starve another client', { skip: tsOnly('redis-sentinel runs a whole pipelined batch before serving anyone else') }, async () => {
  const s = await startSentinel({ lines: ['sentinel monitor mymaster 127.0.0.1 1 2'] });
  const sockets: net.Socket[] = [];
  try {
    const writer = await connect(s.port);
    sockets.push(writer);
    let setsDone = 0;
    writer.on('data', (d: Buffer) => (setsDone += (d.toString().match(/\+OK/g) ?? []).length));
    const probe = await connect(s.port);
    sockets.push(probe);
    const SETS = 2000;
    writer.write(Array.from({ length: SETS }, (_, i) => `SENTINEL SET mymaster down-after-milliseconds ${30000 + i}\r\n`).join(''));
    await waitFor(() => setsDone > 0, 10000, 'the first SET');
    // Each SET rewrites and fsyncs the config file; the PING is answered long before the last.
    const setsWhenAnswered = await new Promise<number>((resolve) => {
      probe.once('data', () => resolve(setsDone));
      probe.write('PING\r\n');
    });
    assert.ok(setsWhenAnswered < SETS, `PING answered only after all ${SETS} SETs`);
    await waitFor(() => setsDone === SETS, 60000, 'every SET answered');
    assert.match(s.conf(), new RegExp(`down-after-milliseconds mymaster ${30000 + SETS - 1}\\n`));
  } finally {
    for (const c of sockets) c.destroy();
    await s.stop();
  }
});
