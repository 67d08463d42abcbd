/**
 * Self-test of the namespace network (test/helpers/netns.ts): three hosts reach each other; a
 * partition stops new and established connections between chosen hosts only, both ways; the
 * port-only variant stops only that port; heal restores; destroy leaves no namespace behind; the
 * root namespace's links and nftables ruleset are the same before and after; namespaces of a
 * dead earlier run are swept.
 *
 * Needs root (skipped with the reason otherwise).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Net, skipReason, sweepStaleNamespaces } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const skip = skipReason();
const HOSTS = ['a', 'b', 'c'];
const OPEN = 7000;
const GUARDED = 7001;

const namespaces = (): string[] => execFileSync('ip', ['netns', 'list']).toString().split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
const rootLinks = (): string => execFileSync('ip', ['-o', 'link', 'show']).toString().split('\n').map((l) => l.split(':')[1]?.trim() ?? '').sort().join(' ');
const rootRules = (): string => execFileSync('nft', ['list', 'ruleset']).toString();

/** An echo server on OPEN and GUARDED in `host`. */
function echoServers(net: Net, host: string): ChildProcess {
  const addr = JSON.stringify(net.addr(host));
  const script = `const net=require('net');for(const p of [${OPEN},${GUARDED}])net.createServer(s=>{s.on('data',d=>s.write(d));s.on('error',()=>{})}).listen(p,${addr},()=>console.log('listening '+p))`;
  return net.spawn(host, process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function listening(child: ChildProcess): Promise<void> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes(`listening ${OPEN}`) && out.includes(`listening ${GUARDED}`), 10000, 'echo servers to listen');
}

test('namespace network: reachability, partitions, port-only cuts, heal, destroy', { skip }, async () => {
  const linksBefore = rootLinks();
  const rulesBefore = rootRules();
  const net = await Net.create(HOSTS);
  try {
    assert.ok(net.hosts().every((h) => h.ns.startsWith(net.tag + '-')), 'every namespace carries the run tag');
    assert.deepEqual(
      namespaces().filter((n) => n.startsWith(net.tag)).sort(),
      [...HOSTS.map((h) => `${net.tag}-${h}`), `${net.tag}-sw`].sort(),
    );
    const servers = HOSTS.map((h) => echoServers(net, h));
    await Promise.all(servers.map(listening));

    /** Which ordered pairs can open a connection to `port`, as "x>y" strings. */
    const reach = async (port: number): Promise<string[]> => {
      const pairs = HOSTS.flatMap((x) => HOSTS.filter((y) => y !== x).map((y) => [x, y] as const));
      const ok = await Promise.all(pairs.map(([x, y]) => net.canConnect(x, net.addr(y), port, 700)));
      return pairs.filter((_, i) => ok[i]).map(([x, y]) => `${x}>${y}`);
    };
    const all = ['a>b', 'a>c', 'b>a', 'b>c', 'c>a', 'c>b'];
    assert.deepEqual(await reach(OPEN), all, 'everyone reaches everyone');

    // A connection opened before the cut: an echo client in a talking to b every 100 ms.
    const addrB = JSON.stringify(net.addr('b'));
    const client = net.spawn('a', process.execPath, ['-e', `const s=require('net').connect(${OPEN},${addrB});s.on('data',()=>console.log('pong '+Date.now()));s.on('error',()=>{});setInterval(()=>s.write('x'),100)`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastPong = 0;
    client.stdout!.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/pong (\d+)/g)) lastPong = Number(m[1]);
    });
    await waitFor(() => lastPong > 0, 5000, 'the established connection to echo');

    await net.partition([['a'], ['b', 'c']]);
    const cutAt = Date.now();
    assert.deepEqual(await reach(OPEN), ['b>c', 'c>b'], 'only b and c still reach each other');
    assert.ok(lastPong - cutAt < 300, `the established connection stopped echoing (last pong ${lastPong - cutAt} ms after the cut)`);
    const rulesA = await net.rules('a');
    assert.ok(rulesA.includes(net.addr('b')) && rulesA.includes(net.addr('c')) && rulesA.includes('drop'), rulesA);

    await net.heal();
    const healedAt = Date.now();
    assert.deepEqual(await reach(OPEN), all, 'heal restores every path');
    // TCP retransmits with back-off: the stalled connection resumes within a few seconds.
    await waitFor(() => lastPong > healedAt, 10000, 'the established connection to resume after the heal');
    assert.doesNotMatch(await net.rules('a'), /drop/, 'no rule left after heal');

    // Only port GUARDED between a and b, both directions; other ports and hosts unaffected.
    await net.cut(['a'], ['b'], { port: GUARDED });
    assert.deepEqual(await reach(OPEN), all, 'other ports still open');
    assert.deepEqual(await reach(GUARDED), ['a>c', 'b>c', 'c>a', 'c>b'], 'the guarded port is cut between a and b only');
    await net.heal();
    assert.deepEqual(await reach(GUARDED), all);
  } finally {
    await net.destroy();
  }
  assert.deepEqual(namespaces().filter((n) => n.startsWith(net.tag)), [], 'destroy removes every namespace');
  assert.equal(rootLinks(), linksBefore, 'the root namespace has the same links');
  assert.equal(rootRules(), rulesBefore, 'the root namespace has the same nftables ruleset');
});

test('namespaces left by a dead run are swept', { skip }, () => {
  // A pid that is not running: the first free one above ours (pids wrap, so search a range).
  let dead = 0;
  for (let p = process.pid + 1000; p < process.pid + 30000; p++) {
    try {
      process.kill(p, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') {
        dead = p;
        break;
      }
    }
  }
  assert.ok(dead > 0);
  const stale = `sts${dead.toString(36)}_0-h1`;
  const mine = `sts${process.pid.toString(36)}_zz-h1`;
  execFileSync('ip', ['netns', 'add', stale]);
  execFileSync('ip', ['netns', 'add', mine]);
  try {
    const removed = sweepStaleNamespaces();
    assert.ok(removed.includes(stale), `swept ${JSON.stringify(removed)}`);
    assert.ok(!namespaces().includes(stale));
    assert.ok(namespaces().includes(mine), 'a live run keeps its namespaces');
  } finally {
    execFileSync('ip', ['netns', 'del', mine]);
    try {
      execFileSync('ip', ['netns', 'del', stale], { stdio: 'ignore' });
    } catch {
      // swept
    }
  }
});
