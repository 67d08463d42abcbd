/**
 * `sentinel-ts drill` against real processes, run as an operator runs it (bin/sentinel-ts drill,
 * a child process): a coordinated switchover of 3 sentinel-ts, a plain one of 3 redis-sentinel
 * (which refuses COORDINATED and must be left untouched by that attempt), bad arguments, and
 * password-protected servers and sentinels. Each drill really fails the master over, so every
 * check of "where is the master now" asks the sentinels again afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCerts, tlsSentinelLines } from '../helpers/certs.js';
import type { TestCerts } from '../helpers/certs.js';
import { useSettledTopology } from '../helpers/fixture.js';
import { freePort } from '../helpers/ports.js';
import type { Topology } from '../helpers/sentinels.js';
import { startSentinel, tsOnly } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { SENTINEL_TS } from '../helpers/paths.js';
import { removeTempDir, runToExit } from '../helpers/pids.js';
import type { ProcessRun } from '../helpers/pids.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { stopAll, waitForView } from '../helpers/quorum.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

/** Runs `sentinel-ts drill ...args` to completion (killed after 90 s). */
function drill(args: string[], env: Record<string, string> = {}): Promise<ProcessRun> {
  const cleanEnv = { ...process.env, ...env };
  if (!('REDISCLI_AUTH' in env)) delete cleanEnv['REDISCLI_AUTH'];
  return runToExit(SENTINEL_TS, ['drill', ...args], { env: cleanEnv }, 90000);
}

/** The one JSON object on stdout (fails the test on anything else there). */
function jsonOf(r: ProcessRun): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

/** "ip:port" that sentinel `port` names for mymaster now. */
async function named(port: number, cli: string[] = []): Promise<string> {
  return (await redisCli(port, ...cli, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().replace('\n', ':');
}

/** Every sentinel names `addr`; returns what they name. */
async function assertAllName(t: { sentinels: readonly SentinelProcess[] }, addr: string, cli: string[] = []): Promise<void> {
  for (const s of t.sentinels) assert.equal(await named(s.port, cli), addr, `sentinel ${s.port} (${s.impl})`);
}

/**
 * Waits until the sentinels have settled after a switchover to `masterPort`: each shows it with
 * both replicas and both peers, and lists both replicas with a working link (a second failover
 * before that may be refused with -NOGOODSLAVE, which is the sentinels' answer, not the drill's).
 */
async function settledOn(t: Topology, masterPort: number): Promise<void> {
  for (const s of t.sentinels) {
    const want = `status=ok,address=127.0.0.1:${masterPort},slaves=2,sentinels=3`;
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(want), 30000, `${want} on ${s.port}`);
    await waitFor(
      async () => {
        const r = await redisCli(s.port, 'sentinel', 'replicas', 'mymaster');
        return (r.match(/master-link-status\nok\n/g) ?? []).length === 2 && !/s_down|disconnected/.test(r);
      },
      30000,
      `both replicas linked on ${s.port}`,
    );
  }
}

const drillKeys = async (port: number, cli: string[] = []): Promise<string> => (await redisCli(port, ...cli, 'keys', 'sentinel-ts:drill:*')).trim();
const portOf = (addr: unknown): number => Number(String(addr).split(':')[1]);

/** COORDINATED is a sentinel-ts extension: skipped when SENTINEL_IMPL=redis makes every sentinel redis-sentinel. */
const skip = tsOnly('the coordinated drill needs sentinel-ts');

describe('3 sentinel-ts, coordinated', () => {
  // down-after well above any hand-over pause: the switchover must never look like a crash.
  const fx = useSettledTopology({ downAfterMs: 5000, skip });

  test('a coordinated drill at 200 writes/s: exit 0, the new master every sentinel names, nothing lost, keys gone', { skip }, async () => {
    const t = fx.topo();
    const old = `127.0.0.1:${t.master.port}`;
    const r = await drill(['--sentinel', `127.0.0.1:${t.sentinels[0]!.port}`, '--master', 'mymaster', '--json', '--writes-per-second', '200', '--before', '1000', '--after', '1000']);
    assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    assert.equal(o['master'], 'mymaster');
    assert.equal(o['mode'], 'coordinated');
    assert.equal(o['error'], null);
    assert.equal(o['old_master'], old);
    assert.notEqual(o['new_master'], old);
    assert.ok(t.replicas.some((x) => o['new_master'] === `127.0.0.1:${x.port}`), `new master ${String(o['new_master'])} is a replica`);
    await assertAllName(t, String(o['new_master']));
    assert.equal(o['sentinels'], 3);
    assert.equal(o['lost_acked'], 0);
    const [attempted, acknowledged, failed] = [o['attempted'], o['acknowledged'], o['failed']] as number[];
    assert.ok(acknowledged! > 0 && acknowledged! <= attempted!, `acknowledged ${acknowledged} of ${attempted}`);
    assert.equal(acknowledged! + failed!, attempted);
    assert.equal(o['writes_per_second'], 200);
    assert.ok(typeof o['max_gap_ms'] === 'number' && o['max_gap_ms'] > 0, `max_gap_ms ${String(o['max_gap_ms'])}`);
    assert.ok(typeof o['agreed_ms'] === 'number' && o['agreed_ms'] >= 0);
    assert.ok(typeof o['duration_ms'] === 'number' && o['duration_ms'] >= 2000);
    // Every acknowledged key was there to delete; a failed write may have run all the same (its
    // reply lost with its connection), so up to every attempted one.
    const deleted = o['keys_deleted'] as number;
    assert.ok(deleted >= acknowledged! && deleted <= attempted!, `keys deleted ${deleted}: between ${acknowledged} and ${attempted}`);
    assert.equal(await drillKeys(portOf(o['new_master'])), '');
  });

  test('human output names the old and new master; a second drill runs from wherever the master is now', { skip }, async () => {
    const t = fx.topo();
    const now = await named(t.sentinels[0]!.port);
    await settledOn(t, portOf(now));
    // Two sentinels given: the second and the peers are followed, not asked to fail over.
    const r = await drill(['--sentinel', `127.0.0.1:${t.sentinels[1]!.port}`, '--sentinel', `127.0.0.1:${t.sentinels[2]!.port}`, '--master', 'mymaster', '--before', '500', '--after', '500']);
    assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const after = await named(t.sentinels[0]!.port);
    assert.notEqual(after, now);
    await assertAllName(t, after);
    assert.match(r.stdout, new RegExp(`switchover\\s+${now.replace(/\./g, '\\.')} -> ${after.replace(/\./g, '\\.')}\\n`));
    assert.match(r.stdout, /sentinels agreed\s+after \d+ ms \(all 3\)/);
    assert.match(r.stdout, /lost\s+0 acknowledged/);
    assert.match(r.stdout, /longest write gap\s+\d+ ms/);
    assert.equal(r.stderr, '');
  });

  test('every write followed by WAIT 1 (replicas then acknowledge many times a second): the hand-over still happens, nothing lost', { skip }, async () => {
    const t = fx.topo();
    const now = await named(t.sentinels[0]!.port);
    await settledOn(t, portOf(now));
    const r = await drill(['--sentinel', `127.0.0.1:${t.sentinels[0]!.port}`, '--master', 'mymaster', '--json', '--wait', '1', '--wait-timeout', '200', '--before', '1000', '--after', '1000', '--timeout', '15000']);
    assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    assert.equal(o['old_master'], now);
    assert.notEqual(o['new_master'], now);
    await assertAllName(t, String(o['new_master']));
    assert.equal(o['lost_acked'], 0);
    assert.ok((o['acknowledged'] as number) > 0);
  });
});

describe('3 redis-sentinel, plain', () => {
  const fx = useSettledTopology({ impls: ['redis', 'redis', 'redis'] });

  test('no write acknowledged before the failover (WAIT for more replicas than exist): exit 1, nothing failed over', async () => {
    const t = fx.topo();
    const old = `127.0.0.1:${t.master.port}`;
    const r = await drill(['--sentinel', `127.0.0.1:${t.sentinels[0]!.port}`, '--master', 'mymaster', '--mode', 'plain', '--json', '--before', '300', '--wait', '3', '--wait-timeout', '10']);
    assert.equal(r.code, 1, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    assert.match(String(o['error']), /^not failing over: no write was acknowledged within 2300 ms/);
    assert.equal(o['acknowledged'], 0);
    assert.ok(((o['failures'] as Record<string, number>)['wait_short'] ?? 0) > 0, JSON.stringify(o['failures']));
    assert.deepEqual(o['wait'], { replicas: 3, timeout_ms: 10 });
    await assertAllName(t, old);
    assert.equal(await drillKeys(t.master.port), '');
  });

  test('--mode coordinated is refused by redis-sentinel: exit 1 with the error and a hint, the master unchanged, keys removed', async () => {
    const t = fx.topo();
    const old = `127.0.0.1:${t.master.port}`;
    const r = await drill(['--sentinel', `127.0.0.1:${t.sentinels[0]!.port}`, '--master', 'mymaster', '--json', '--before', '300']);
    assert.equal(r.code, 1, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    // redis-sentinel 7.0 answers any option to FAILOVER with its arity error.
    assert.match(String(o['error']), /refused SENTINEL FAILOVER mymaster COORDINATED: ERR wrong number of arguments for 'sentinel\|failover' command \(.*try --mode plain\)/);
    assert.match(r.stderr, /try --mode plain/);
    assert.equal(o['old_master'], old);
    assert.equal(o['new_master'], null);
    assert.equal(o['agreed_ms'], null);
    await assertAllName(t, old);
    assert.match(await redisCli(t.master.port, 'role'), /^master\n/);
    assert.equal(await drillKeys(t.master.port), '');
  });

  test('a plain drill completes: exit 0 or 2, and the sentinels agree with the report', async () => {
    const t = fx.topo();
    const old = `127.0.0.1:${t.master.port}`;
    const r = await drill(['--sentinel', `127.0.0.1:${t.sentinels[0]!.port}`, '--master', 'mymaster', '--mode', 'plain', '--json', '--writes-per-second', '200', '--before', '1000', '--after', '1000']);
    assert.ok(r.code === 0 || r.code === 2, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    assert.equal(o['mode'], 'plain');
    assert.equal(o['error'], null);
    assert.equal(o['old_master'], old);
    assert.notEqual(o['new_master'], old);
    await assertAllName(t, String(o['new_master']));
    // The exit status follows the verification: 2 exactly when acknowledged writes are missing.
    assert.equal(typeof o['lost_acked'], 'number');
    assert.equal(r.code, (o['lost_acked'] as number) > 0 ? 2 : 0);
    assert.equal(await drillKeys(portOf(o['new_master'])), '');
  });
});

describe('bad command lines', () => {
  const rows: [string[], RegExp][] = [
    [['--master', 'mymaster'], /--sentinel <host:port> is required/],
    [['--sentinel', '127.0.0.1:26379'], /--master <name> is required/],
    [['--sentinel', '127.0.0.1:26379', '--master', 'm', '--frobnicate'], /unknown option '--frobnicate'/],
    [['--sentinel', 'nowhere', '--master', 'm'], /--sentinel wants <host:port>/],
  ];
  for (const [args, want] of rows) {
    test(`drill ${args.join(' ')}: exit 1, one line and a usage hint on stderr`, async () => {
      const r = await drill(args);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, r.stderr);
      assert.match(lines[0]!, want);
      assert.match(lines[1]!, /sentinel-ts drill --help/);
    });
  }

  test('--help prints the usage on stdout, exit 0', async () => {
    const r = await drill(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: sentinel-ts drill --sentinel <host:port> --master <name>/);
    assert.match(r.stdout, /--mode coordinated\|plain/);
    assert.equal(r.stderr, '');
  });

  test('a sentinel nobody listens on: exit 1, nothing else happens', async () => {
    const r = await drill(['--sentinel', '127.0.0.1:1', '--master', 'mymaster', '--json']);
    assert.equal(r.code, 1);
    assert.match(String(jsonOf(r)['error']), /could not ask sentinel 127\.0\.0\.1:1 for the master/);
  });
});

describe('password-protected servers and sentinels', () => {
  const SERVER = ['--requirepass', 'srvpw', '--masterauth', 'srvpw'];
  const SERVER_CLI = ['-a', 'srvpw', '--no-auth-warning'];
  const SENTINEL_CLI = ['-a', 'sntpw', '--no-auth-warning'];
  let master: RedisServer | undefined;
  let replicas: RedisServer[] = [];
  let sentinels: SentinelProcess[] = [];

  before(async () => {
    if (skip) return;
    master = await startRedis({ args: SERVER });
    for (let i = 0; i < 2; i++) replicas.push(await startRedis({ replicaOf: master.port, args: SERVER }));
    await waitFor(async () => (await redisCli(master!.port, ...SERVER_CLI, 'info', 'replication')).includes('connected_slaves:2'), 15000, 'both replicas');
    for (let i = 0; i < 3; i++) {
      sentinels.push(
        await startSentinel({
          lines: [
            'requirepass sntpw',
            'sentinel sentinel-pass sntpw',
            `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
            'sentinel auth-pass mymaster srvpw',
            'sentinel down-after-milliseconds mymaster 5000',
            'sentinel failover-timeout mymaster 10000',
          ],
        }),
      );
    }
    await waitForView(sentinels, `status=ok,address=127.0.0.1:${master.port},slaves=2,sentinels=3`, 20000, SENTINEL_CLI);
  });

  after(async () => {
    await stopAll(sentinels, [...replicas, master]);
    sentinels = [];
    replicas = [];
  });

  const base = (): string[] => ['--sentinel', `127.0.0.1:${sentinels[0]!.port}`, '--master', 'mymaster', '--json', '--before', '500', '--after', '500'];

  test('without the sentinels\' password: exit 1 with their NOAUTH, nothing failed over; -a warns on stderr', { skip }, async () => {
    const r = await drill([...base(), '-a', 'srvpw']);
    assert.equal(r.code, 1);
    assert.match(String(jsonOf(r)['error']), /NOAUTH/);
    assert.match(r.stderr, /^Warning: a password given with -a/);
    await assertAllName({ sentinels }, `127.0.0.1:${master!.port}`, SENTINEL_CLI);
  });

  test('a wrong server password: exit 1 at once with WRONGPASS, before any failover', { skip }, async () => {
    const r = await drill([...base(), '--sentinel-pass', 'sntpw', '-a', 'nope', '--no-auth-warning']);
    assert.equal(r.code, 1);
    const o = jsonOf(r);
    assert.match(String(o['error']), /not starting: .*WRONGPASS/);
    assert.equal(o['attempted'], 0);
    await assertAllName({ sentinels }, `127.0.0.1:${master!.port}`, SENTINEL_CLI);
  });

  test('with --sentinel-pass and REDISCLI_AUTH: the drill switches over, nothing lost, keys gone', { skip }, async () => {
    const r = await drill([...base(), '--sentinel-pass', 'sntpw'], { REDISCLI_AUTH: 'srvpw' });
    assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    assert.equal(o['old_master'], `127.0.0.1:${master!.port}`);
    assert.notEqual(o['new_master'], o['old_master']);
    assert.equal(o['lost_acked'], 0);
    assert.ok((o['acknowledged'] as number) > 0);
    await assertAllName({ sentinels }, String(o['new_master']), SENTINEL_CLI);
    assert.equal(await drillKeys(portOf(o['new_master']), SERVER_CLI), '');
    assert.equal(r.stderr, '', 'no warning: the password came from REDISCLI_AUTH');
  });
});

describe('over TLS: the drill reaches sentinels and servers on their TLS ports', () => {
  let certs: TestCerts | undefined;
  let master: RedisServer | undefined;
  let replica: RedisServer | undefined;
  const tlsPorts = new Map<RedisServer | SentinelProcess, number>();
  let sentinels: SentinelProcess[] = [];
  const tlsArgs = (c: TestCerts): string[] => ['--tls-cert-file', c.cert, '--tls-key-file', c.key, '--tls-ca-cert-file', c.ca, '--tls-replication', 'yes'];

  before(async () => {
    if (skip) return;
    certs = makeCerts();
    const masterTls = await freePort();
    master = await startRedis({ args: ['--tls-port', String(masterTls), ...tlsArgs(certs)] });
    tlsPorts.set(master, masterTls);
    const replicaTls = await freePort();
    replica = await startRedis({ args: ['--tls-port', String(replicaTls), ...tlsArgs(certs), '--replicaof', '127.0.0.1', String(masterTls)] });
    tlsPorts.set(replica, replicaTls);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const s = await startSentinel({
        lines: [
          ...tlsSentinelLines(certs, port),
          `sentinel monitor mymaster 127.0.0.1 ${masterTls} 2`,
          'sentinel down-after-milliseconds mymaster 5000',
          'sentinel failover-timeout mymaster 10000',
        ],
      });
      sentinels.push(s);
      tlsPorts.set(s, port);
    }
    await waitForView(sentinels, `status=ok,address=127.0.0.1:${masterTls},slaves=1,sentinels=3`, 20000);
  });

  after(async () => {
    await stopAll(sentinels, [replica, master]);
    sentinels = [];
    if (certs) removeTempDir(certs.dir);
  });

  test('--tls --cacert --cert --key: the drill switches over through TLS sentinels to the TLS replica, nothing lost', { skip }, async () => {
    const c = certs!;
    const s0 = tlsPorts.get(sentinels[0]!)!;
    const r = await drill(['--sentinel', `127.0.0.1:${s0}`, '--master', 'mymaster', '--json', '--before', '500', '--after', '500', '--tls', '--cacert', c.ca, '--cert', c.cert, '--key', c.key]);
    assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const o = jsonOf(r);
    assert.equal(o['old_master'], `127.0.0.1:${tlsPorts.get(master!)}`);
    assert.equal(o['new_master'], `127.0.0.1:${tlsPorts.get(replica!)}`);
    assert.equal(o['sentinels'], 3, 'the peers were found (at their TLS ports) and followed');
    assert.equal(o['lost_acked'], 0);
    await assertAllName({ sentinels }, String(o['new_master']));
    assert.equal(await drillKeys(replica!.port), '');
  });

  test('--tls without the CA: the certificate is not trusted, exit 1 before anything happens', { skip }, async () => {
    const c = certs!;
    const now = await named(sentinels[0]!.port);
    const r = await drill(['--sentinel', `127.0.0.1:${tlsPorts.get(sentinels[0]!)}`, '--master', 'mymaster', '--json', '--tls', '--cert', c.cert, '--key', c.key]);
    assert.equal(r.code, 1);
    assert.match(String(jsonOf(r)['error']), /could not ask sentinel .* for the master: could not connect/);
    await assertAllName({ sentinels }, now);
  });
});
