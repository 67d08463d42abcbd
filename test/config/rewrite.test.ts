import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { REWRITE_SIGNATURE, mergeConfig, renderSentinelConfig, rewriteConfigFile } from '../../src/config/rewrite.js';
import type { SentinelConfig } from '../../src/config/model.js';
import { newMasterConfig } from '../../src/config/model.js';
import { MYID, fixture, removeSandbox, sandbox, writeConf } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeSandbox));
function box(): string {
  const d = sandbox();
  dirs.push(d);
  return d;
}

/** Loads the file the way the sentinel starts: a missing myid is generated (here: MYID). */
function start(dir: string): SentinelConfig {
  const cfg = loadConfig('sentinel.conf', [], { cwd: dir });
  if (!cfg.sentinel.myid) cfg.sentinel.myid = MYID;
  return cfg;
}

/** A model from config text, without touching the disk layout of a real sentinel. */
function model(text: string): SentinelConfig {
  const d = box();
  writeConf(d, text);
  return start(d);
}

const read = (dir: string): string => fs.readFileSync(path.join(dir, 'sentinel.conf'), 'utf8');
/** The user's comments (the rewrite marker is ours). */
const comments = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#') && l !== REWRITE_SIGNATURE);

const FIXTURE_NAMES = ['seed001-template', 'seed001-sentinel-26379', 'seed003-sentinel', 'seed003-rewritten', 'official-start-init'];

for (const name of FIXTURE_NAMES) {
  test(`${name}: start + FLUSHCONFIG writes what redis-sentinel 7.0.15 writes (fixtures/README.md)`, () => {
    const d = box();
    writeConf(d, fixture(`${name}.conf`));
    rewriteConfigFile(start(d)); // the rewrite at start-up (new myid)
    rewriteConfigFile(start(d)); // SENTINEL FLUSHCONFIG
    const expected = fixture(`${name}.expected`).replaceAll('@DIR@', d).replaceAll('@MYID@', MYID);
    assert.equal(read(d), expected);
  });

  test(`${name}: round trip keeps the model, the comments and the user's lines; rewriting is idempotent`, () => {
    const d = box();
    const original = fixture(`${name}.conf`);
    writeConf(d, original);
    const first = start(d);
    rewriteConfigFile(first);
    const text1 = read(d);
    const second = start(d);
    assert.deepEqual(second, first);
    rewriteConfigFile(second);
    const text2 = read(d);
    rewriteConfigFile(start(d));
    assert.equal(read(d), text2, 'a rewrite of an unchanged state changes nothing');
    assert.deepEqual(comments(text1), comments(original), 'comments kept, in order');
    for (const keep of ['repl-diskless-sync-delay 0', 'enable-protected-configs yes', 'enable-debug-command yes', 'user default on nopass ~* &* +@all', 'bind 127.0.0.1']) {
      if (original.includes(keep)) assert.ok(text2.includes(`${keep}\n`), keep);
    }
    // Everything generated comes after the single marker.
    assert.equal(text2.split('\n').filter((l) => l === REWRITE_SIGNATURE).length, 1);
  });
}

test('official start-init check: after FLUSHCONFIG the lines up to the first empty line are unchanged', () => {
  const d = box();
  const original = fixture('official-start-init.conf');
  writeConf(d, original);
  rewriteConfigFile(start(d));
  rewriteConfigFile(start(d));
  const ref = original.split('\n');
  const got = read(d).split('\n');
  for (let i = 0; i < ref.length && ref[i] !== ''; i++) assert.equal(got[i], ref[i], `line ${i + 1}`);
});

test('existing lines are replaced in place, per option, in file order; new ones appended after the marker', () => {
  const cfg = model('sentinel monitor mymaster 127.0.0.1 42001 2\nsentinel down-after-milliseconds mymaster 3000\n');
  const m = cfg.masters[0]!;
  // After a failover: new address and epoch, replicas known.
  m.port = 42003;
  m.configEpoch = 1;
  m.leaderEpoch = 1;
  cfg.sentinel.currentEpoch = 1;
  m.knownReplicas = [
    { host: '127.0.0.1', port: 42001 },
    { host: '127.0.0.1', port: 42002 },
  ];
  m.knownSentinels = [{ host: '127.0.0.1', port: 42013, runid: 'f074a2c8a89df4fd495011b5937f3c77d57f64c8' }];
  const old =
    '# my sentinel\nsentinel monitor mymaster 127.0.0.1 42001 2\nsentinel down-after-milliseconds mymaster 3000\nsentinel failover-timeout mymaster 20000\n' +
    `${REWRITE_SIGNATURE}\nprotected-mode no\nsentinel myid ${MYID}\nsentinel config-epoch mymaster 0\nsentinel leader-epoch mymaster 0\nsentinel current-epoch 0\n`;
  m.failoverTimeoutMs = 20000;
  cfg.server.dir = '/data';
  assert.equal(
    mergeConfig(old, cfg),
    '# my sentinel\nsentinel monitor mymaster 127.0.0.1 42003 2\nsentinel down-after-milliseconds mymaster 3000\nsentinel failover-timeout mymaster 20000\n' +
      `${REWRITE_SIGNATURE}\nprotected-mode no\nsentinel myid ${MYID}\nsentinel config-epoch mymaster 1\nsentinel leader-epoch mymaster 1\nsentinel current-epoch 1\n` +
      // No second marker: the existing one counts. The old file's final newline left an empty
      // last line, so appended lines come after it. (redis compares the port with 6379, not
      // 26379, so `port 26379` is always written.)
      '\nport 26379\ndir "/data"\nsentinel known-replica mymaster 127.0.0.1 42001\nsentinel known-replica mymaster 127.0.0.1 42002\n' +
      'sentinel known-sentinel mymaster 127.0.0.1 42013 f074a2c8a89df4fd495011b5937f3c77d57f64c8\n',
  );
});

test('a removed master loses all its lines (blanked, runs of empty lines squeezed); the other master keeps its own', () => {
  const text =
    'port 26379\n\nsentinel monitor a 127.0.0.1 1 2\nsentinel known-replica a 127.0.0.1 5\n\nsentinel monitor b 127.0.0.1 2 2\nsentinel known-replica b 127.0.0.1 6\n' +
    'sentinel config-epoch a 2\nsentinel config-epoch b 3\nsentinel leader-epoch a 2\nsentinel leader-epoch b 3\nsentinel rename-command a CONFIG x\n' +
    `sentinel myid ${MYID}\nsentinel current-epoch 3\n`;
  const cfg = model(text);
  cfg.masters = cfg.masters.filter((m) => m.name !== 'a');
  cfg.server.dir = '/d';
  assert.equal(
    mergeConfig(text, cfg),
    // b's lines take the slots of their option in file order: config-epoch b goes where
    // config-epoch a was, and b's own old line is blanked.
    'port 26379\n\nsentinel monitor b 127.0.0.1 2 2\nsentinel known-replica b 127.0.0.1 6\n\n' +
      'sentinel config-epoch b 3\n\nsentinel leader-epoch b 3\n\n' +
      `sentinel myid ${MYID}\nsentinel current-epoch 3\n\n${REWRITE_SIGNATURE}\nprotected-mode no\ndir "/d"\n`,
  );
});

test('known-slave lines are rewritten in place as known-replica (redis 7.2 behaviour)', () => {
  const text = `sentinel monitor m 127.0.0.1 1 2\nsentinel known-slave m 127.0.0.1 5\nsentinel known-slave m 127.0.0.1 6\nsentinel myid ${MYID}\n`;
  const out = mergeConfig(text, model(text));
  assert.ok(out.startsWith('sentinel monitor m 127.0.0.1 1 2\nsentinel known-replica m 127.0.0.1 5\nsentinel known-replica m 127.0.0.1 6\n'), out);
  assert.ok(!out.includes('known-slave'));
});

test('default values: dropped when set back to default, kept in place when the file spells them out', () => {
  const text =
    'sentinel monitor m 127.0.0.1 1 2\nsentinel down-after-milliseconds m 5000\nsentinel parallel-syncs m 1\nsentinel failover-timeout m 180000\n' +
    'sentinel deny-scripts-reconfig yes\nsentinel resolve-hostnames no\nsentinel announce-port 0\nsentinel announce-ip ""\n' +
    `sentinel master-reboot-down-after-period m 0\nsentinel myid ${MYID}\n`;
  const cfg = model(text);
  cfg.masters[0]!.downAfterMs = 30000; // SENTINEL SET back to the default
  cfg.server.dir = '/d';
  assert.equal(
    mergeConfig(text, cfg),
    'sentinel monitor m 127.0.0.1 1 2\n\n' +
      // deny-scripts-reconfig and resolve-hostnames stay (rewritten) although at their default.
      'sentinel deny-scripts-reconfig yes\nsentinel resolve-hostnames no\n\n' +
      `sentinel myid ${MYID}\n\n${REWRITE_SIGNATURE}\nport 26379\nprotected-mode no\ndir "/d"\nsentinel config-epoch m 0\nsentinel leader-epoch m 0\nsentinel current-epoch 0\n`,
  );
  // Nothing default is ever appended.
  const fresh = mergeConfig('', model('sentinel monitor m 127.0.0.1 1 2\n'));
  for (const absent of ['down-after', 'parallel-syncs', 'failover-timeout', 'deny-scripts', 'resolve-hostnames', 'announce', 'reboot', 'maxclients', 'loglevel']) {
    assert.ok(!fresh.includes(absent), absent);
  }
});

test('lines are trimmed, CRLF dropped, unparsable lines commented out, a fresh file starts with the marker', () => {
  const text = '  # indented\r\n\tport 26379  \r\nfoo "bar\r\n\r\n\r\n\r\n# end';
  const cfg = model('port 26379\n');
  cfg.server.dir = '/d';
  assert.equal(
    mergeConfig(text, cfg),
    `# indented\nport 26379\n# ??? foo "bar\n\n# end\n${REWRITE_SIGNATURE}\nprotected-mode no\ndir "/d"\nsentinel myid ${MYID}\nsentinel current-epoch 0\n`,
  );
  assert.equal(mergeConfig('', cfg), `${REWRITE_SIGNATURE}\nport 26379\nprotected-mode no\ndir "/d"\nsentinel myid ${MYID}\nsentinel current-epoch 0\n`);
});

test('with several masters, appended lines keep redis order: all the lines of one master, then the next', () => {
  const cfg = model('sentinel monitor a 127.0.0.1 1 2\nsentinel monitor b 127.0.0.1 2 2\n');
  cfg.masters[0]!.knownReplicas.push({ host: '127.0.0.1', port: 5 });
  cfg.server.dir = '/d';
  const out = mergeConfig('sentinel monitor a 127.0.0.1 1 2\nsentinel monitor b 127.0.0.1 2 2\n', cfg);
  assert.equal(
    out.slice(out.indexOf(`sentinel myid`)),
    `sentinel myid ${MYID}\nsentinel config-epoch a 0\nsentinel leader-epoch a 0\nsentinel known-replica a 127.0.0.1 5\nsentinel config-epoch b 0\nsentinel leader-epoch b 0\nsentinel current-epoch 0\n`,
  );
});

test('the sentinel lines in redis order (section 2.4), quoted only where a bare value would not load back', () => {
  const m = newMasterConfig('mymaster', '127.0.0.1', 6379, 2);
  Object.assign(m, {
    downAfterMs: 5000,
    failoverTimeoutMs: 60000,
    parallelSyncs: 3,
    authPass: 'p w"x',
    authUser: 'bob',
    masterRebootDownAfterPeriodMs: 1000,
    configEpoch: 4,
    leaderEpoch: 5,
    knownReplicas: [{ host: '127.0.0.1', port: 6380 }],
    knownSentinels: [{ host: '127.0.0.1', port: 26380, runid: 'a'.repeat(40) }],
    renamedCommands: [['CONFIG', 'cfg']],
    notificationScript: '/bin/true',
    clientReconfigScript: '/bin/true',
  });
  const cfg = model('port 26379\n');
  cfg.masters = [m];
  Object.assign(cfg.sentinel, {
    denyScriptsReconfig: false,
    resolveHostnames: true,
    announceHostnames: true,
    currentEpoch: 9,
    announceIp: '10.0.0.1',
    announcePort: 26999,
    sentinelUser: 'su',
    sentinelPass: 'a b',
  });
  assert.deepEqual(
    renderSentinelConfig(cfg).map((l) => l.line),
    [
      `sentinel myid ${MYID}`,
      'sentinel deny-scripts-reconfig no',
      'sentinel resolve-hostnames yes',
      'sentinel announce-hostnames yes',
      'sentinel monitor mymaster 127.0.0.1 6379 2',
      'sentinel down-after-milliseconds mymaster 5000',
      'sentinel failover-timeout mymaster 60000',
      'sentinel parallel-syncs mymaster 3',
      'sentinel notification-script mymaster /bin/true',
      'sentinel client-reconfig-script mymaster /bin/true',
      'sentinel auth-pass mymaster "p w\\"x"',
      'sentinel auth-user mymaster bob',
      'sentinel master-reboot-down-after-period mymaster 1000',
      'sentinel config-epoch mymaster 4',
      'sentinel leader-epoch mymaster 5',
      'sentinel known-replica mymaster 127.0.0.1 6380',
      `sentinel known-sentinel mymaster 127.0.0.1 26380 ${'a'.repeat(40)}`,
      'sentinel rename-command mymaster CONFIG cfg',
      'sentinel current-epoch 9',
      'sentinel announce-ip "10.0.0.1"',
      'sentinel announce-port 26999',
      'sentinel sentinel-user su',
      'sentinel sentinel-pass "a b"',
    ],
  );
  // And the file loads back to the same values.
  const d = box();
  cfg.path = path.join(d, 'sentinel.conf');
  cfg.server.dir = d;
  rewriteConfigFile(cfg);
  const back = loadConfig('sentinel.conf', [], { cwd: d });
  assert.deepEqual(back.masters, cfg.masters);
  assert.deepEqual(back.sentinel, cfg.sentinel);
});

test('a deleted config file is written afresh', () => {
  const d = box();
  const cfg = model('sentinel monitor m 127.0.0.1 1 2\n');
  cfg.path = path.join(d, 'gone.conf');
  rewriteConfigFile(cfg);
  assert.ok(fs.readFileSync(cfg.path, 'utf8').startsWith(`${REWRITE_SIGNATURE}\n`));
});
