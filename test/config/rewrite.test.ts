import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { REWRITE_SIGNATURE, mergeConfig, renderServerConfig, renderSentinelConfig, rewriteConfigFile } from '../../src/config/rewrite.js';
import type { SentinelConfig } from '../../src/config/model.js';
import { newMasterConfig } from '../../src/config/model.js';
import { MYID, box, fixture, fixtureBytes, start, writeConf } from './helpers.js';

/** A model from config text, loaded from a sandbox (its dir set to /d for short expectations). */
function model(text: string): SentinelConfig {
  const d = box();
  writeConf(d, text);
  const cfg = start(d);
  cfg.server.dir = '/d';
  return cfg;
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

test('generic options, defaults and stale lines: same as redis-sentinel 7.0.15, but for the documented differences', () => {
  // fixtures/generic-and-defaults.redis is what the real sentinel left after start + FLUSHCONFIG.
  const d = box();
  writeConf(d, fixtureBytes('generic-and-defaults.conf'));
  rewriteConfigFile(start(d));
  rewriteConfigFile(start(d));
  const redis = fixtureBytes('generic-and-defaults.redis')
    .toString('latin1')
    .replaceAll('@DIR@', d)
    .replaceAll('@MYID@', MYID)
    .split('\n')
    // No latency tracking here; no ACL user is defined, so none is written.
    .filter((l) => !l.startsWith('latency-tracking-info-percentiles') && l !== 'user default on nopass ~* &* +@all')
    // 7.2 replaces known-slave lines in place (7.0 appends known-replica and keeps the old line).
    .filter((l) => l !== 'sentinel known-replica m 127.0.0.1 47096')
    .map((l) => (l === 'sentinel known-slave m 127.0.0.1 47096' ? 'sentinel known-replica m 127.0.0.1 47096' : l))
    // Command names in upper case (the model's key); values quoted when bare would not load back.
    .map((l) => l.replace('rename-command m config cfg', 'rename-command m CONFIG cfg').replace('auth-pass m a b', 'auth-pass m "a b"'))
    .join('\n');
  const ours = fs.readFileSync(path.join(d, 'sentinel.conf')).toString('latin1');
  assert.equal(ours, redis);
  // What that covers, spelled out:
  for (const gone of ['bind * -::*', 'save 900 1', 'save 300 10', 'pidfile ""', 'requirepass ""', 'announce-port 0', 'announce-ip ""', 'known-sentinel m 127.0.0.1 47095', 'down-after-milliseconds m 30000', 'master-reboot-down-after-period m 0', 'sentinel-user']) {
    assert.ok(!ours.includes(gone), gone);
  }
  for (const kept of ['port 47002\n', 'logfile ""\n', 'loglevel notice\n', 'maxclients 10000\n', 'daemonize no\n', 'sentinel deny-scripts-reconfig yes\n', 'sentinel resolve-hostnames no\n', '# latin1: caf\xe9\n']) {
    assert.ok(ours.includes(kept), kept);
  }
});

test('official start-init check: after FLUSHCONFIG the lines up to the first empty line are unchanged', () => {
  const d = box();
  const original = fixture('official-start-init.conf');
  writeConf(d, original);
  rewriteConfigFile(start(d));
  rewriteConfigFile(start(d));
  const ref = original.split('\n');
  const got = read(d).split('\n');
  let i = 0;
  for (; i < ref.length && ref[i] !== ''; i++) assert.equal(got[i], ref[i], `line ${i + 1}`);
  assert.equal(i, 8);
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
  m.failoverTimeoutMs = 20000;
  const old =
    '# my sentinel\nsentinel monitor mymaster 127.0.0.1 42001 2\nsentinel down-after-milliseconds mymaster 3000\nsentinel failover-timeout mymaster 20000\n' +
    `${REWRITE_SIGNATURE}\nprotected-mode no\nsentinel myid ${MYID}\nsentinel config-epoch mymaster 0\nsentinel leader-epoch mymaster 0\nsentinel current-epoch 0\n`;
  assert.equal(
    mergeConfig(old, cfg),
    '# my sentinel\nsentinel monitor mymaster 127.0.0.1 42003 2\nsentinel down-after-milliseconds mymaster 3000\nsentinel failover-timeout mymaster 20000\n' +
      `${REWRITE_SIGNATURE}\nprotected-mode no\nsentinel myid ${MYID}\nsentinel config-epoch mymaster 1\nsentinel leader-epoch mymaster 1\nsentinel current-epoch 1\n` +
      // No second marker: the existing one counts. The old file's final newline left an empty
      // last line, so appended lines come after it. (redis compares the port with 6379, not
      // 26379, so `port 26379` is always written.)
      '\nport 26379\ndir "/d"\nsentinel known-replica mymaster 127.0.0.1 42001\nsentinel known-replica mymaster 127.0.0.1 42002\n' +
      'sentinel known-sentinel mymaster 127.0.0.1 42013 f074a2c8a89df4fd495011b5937f3c77d57f64c8\n',
  );
});

test('several lines of one option: the first new line takes the first old slot, and so on; the surplus is appended', () => {
  const text = 'sentinel monitor m 127.0.0.1 1 2\n# a\nsentinel known-replica m 127.0.0.1 5\n# b\nsentinel known-replica m 127.0.0.1 6\n# c\n';
  const cfg = model(text);
  cfg.masters[0]!.knownReplicas = [
    { host: '127.0.0.1', port: 7 },
    { host: '127.0.0.1', port: 8 },
    { host: '127.0.0.1', port: 9 },
  ];
  const out = mergeConfig(text, cfg);
  assert.ok(out.startsWith('sentinel monitor m 127.0.0.1 1 2\n# a\nsentinel known-replica m 127.0.0.1 7\n# b\nsentinel known-replica m 127.0.0.1 8\n# c\n\n# Generated'), out);
  assert.ok(out.endsWith('sentinel known-replica m 127.0.0.1 9\nsentinel current-epoch 0\n'), out);
  // Fewer new lines than old ones: the surplus old lines go.
  cfg.masters[0]!.knownReplicas = [];
  const fewer = mergeConfig(text, cfg);
  assert.ok(fewer.startsWith('sentinel monitor m 127.0.0.1 1 2\n# a\n\n# b\n\n# c\n'), fewer);
  assert.ok(!fewer.includes('known-replica'));
});

test('a removed master loses all its lines (blanked, runs of empty lines squeezed); the other master keeps its own', () => {
  // The same input as a real redis-sentinel 7.0.15 run with SENTINEL REMOVE a (output identical).
  const text =
    'port 47001\n\n\nsentinel monitor a 127.0.0.1 47091 2\nsentinel known-replica a 127.0.0.1 47092\n\nsentinel monitor b 127.0.0.1 47093 2\nsentinel known-replica b 127.0.0.1 47094\n' +
    'sentinel config-epoch a 2\nsentinel config-epoch b 3\nsentinel leader-epoch a 2\nsentinel leader-epoch b 3\nsentinel rename-command a CONFIG x\nsentinel down-after-milliseconds a 5000\n' +
    `sentinel myid ${MYID}\nsentinel current-epoch 3\n# tail comment\n`;
  const cfg = model(text);
  cfg.masters = cfg.masters.filter((m) => m.name !== 'a');
  assert.equal(
    mergeConfig(text, cfg),
    // b's lines take the slots of their option in file order: config-epoch b goes where
    // config-epoch a was, and b's own old line is blanked.
    'port 47001\n\nsentinel monitor b 127.0.0.1 47093 2\nsentinel known-replica b 127.0.0.1 47094\n\n' +
      'sentinel config-epoch b 3\n\nsentinel leader-epoch b 3\n\n' +
      `sentinel myid ${MYID}\nsentinel current-epoch 3\n# tail comment\n\n${REWRITE_SIGNATURE}\nprotected-mode no\ndir "/d"\n`,
  );
});

test('every sentinel option is managed even when it produces no line: stale lines disappear', () => {
  const text =
    'sentinel monitor m 127.0.0.1 1 2\nsentinel announce-ip 1.2.3.4\nsentinel announce-port 5\nsentinel sentinel-user u\nsentinel sentinel-pass p\n' +
    'sentinel auth-pass m x\nsentinel auth-user m y\nsentinel notification-script m /bin/true\nsentinel client-reconfig-script m /bin/true\n' +
    'sentinel parallel-syncs m 3\nsentinel failover-timeout m 5\nsentinel master-reboot-down-after-period m 9\nsentinel rename-command m a b\n' +
    `sentinel known-sentinel m 127.0.0.1 7 ${'b'.repeat(40)}\nsentinel known-sentinel m 127.0.0.1 8\nsentinel announce-hostnames yes\nsentinel resolve-hostnames yes\nsentinel deny-scripts-reconfig no\n# end\n`;
  const cfg = model(text);
  const m = cfg.masters[0]!;
  Object.assign(cfg.sentinel, { announceIp: undefined, announcePort: 0, sentinelUser: undefined, sentinelPass: undefined, denyScriptsReconfig: true });
  Object.assign(m, { authPass: undefined, authUser: undefined, notificationScript: undefined, clientReconfigScript: undefined });
  Object.assign(m, { parallelSyncs: 1, failoverTimeoutMs: 180000, masterRebootDownAfterPeriodMs: 0, renamedCommands: [], knownSentinels: [] });
  cfg.sentinel.resolveHostnames = false;
  cfg.sentinel.announceHostnames = false;
  assert.equal(
    mergeConfig(text, cfg),
    // yes/no options the file spells out stay, at their new (default) value; the rest goes.
    'sentinel monitor m 127.0.0.1 1 2\n\nsentinel announce-hostnames no\nsentinel resolve-hostnames no\nsentinel deny-scripts-reconfig yes\n# end\n\n' +
      `${REWRITE_SIGNATURE}\nport 26379\nprotected-mode no\ndir "/d"\nsentinel myid ${MYID}\nsentinel config-epoch m 0\nsentinel leader-epoch m 0\nsentinel current-epoch 0\n`,
  );
});

test('known-slave lines are replaced in place (redis 7.2), before known-replica lines; stale ones go', () => {
  const text = `sentinel monitor m 127.0.0.1 1 2\nsentinel known-replica m 127.0.0.1 5\nsentinel known-slave m 127.0.0.1 6\nsentinel myid ${MYID}\n`;
  const cfg = model(text);
  assert.deepEqual(cfg.masters[0]!.knownReplicas.map((r) => r.port), [5, 6]);
  // 7.2 tries a known-slave slot first for every replica line.
  assert.ok(mergeConfig(text, cfg).startsWith('sentinel monitor m 127.0.0.1 1 2\nsentinel known-replica m 127.0.0.1 6\nsentinel known-replica m 127.0.0.1 5\n'));
  cfg.masters[0]!.knownReplicas = [];
  const out = mergeConfig(text, cfg);
  assert.ok(!out.includes('known-'), out);
  // Valkey's primary-reboot-down-after-period is rewritten in place under the redis name.
  const v = 'sentinel monitor m 127.0.0.1 1 2\nsentinel primary-reboot-down-after-period m 5\n# x\n';
  assert.ok(mergeConfig(v, model(v)).startsWith('sentinel monitor m 127.0.0.1 1 2\nsentinel master-reboot-down-after-period m 5\n# x\n'));
});

test('default values: dropped when set back to default, kept in place when the file spells them out', () => {
  const text =
    'sentinel monitor m 127.0.0.1 1 2\nsentinel down-after-milliseconds m 5000\nsentinel parallel-syncs m 1\nsentinel failover-timeout m 180000\n' +
    'sentinel deny-scripts-reconfig yes\nsentinel resolve-hostnames no\nsentinel announce-port 0\nsentinel announce-ip ""\n' +
    `sentinel master-reboot-down-after-period m 0\nsentinel myid ${MYID}\nloglevel notice\nmaxclients 10000\ndaemonize no\nlogfile ""\n`;
  const cfg = model(text);
  cfg.masters[0]!.downAfterMs = 30000; // SENTINEL SET back to the default
  assert.equal(
    mergeConfig(text, cfg),
    'sentinel monitor m 127.0.0.1 1 2\n\n' +
      // deny-scripts-reconfig and resolve-hostnames stay (rewritten) although at their default.
      'sentinel deny-scripts-reconfig yes\nsentinel resolve-hostnames no\n\n' +
      `sentinel myid ${MYID}\nloglevel notice\nmaxclients 10000\ndaemonize no\nlogfile ""\n\n${REWRITE_SIGNATURE}\nport 26379\nprotected-mode no\ndir "/d"\nsentinel config-epoch m 0\nsentinel leader-epoch m 0\nsentinel current-epoch 0\n`,
  );
  // Unlike redis (which compares with its table defaults 6379 and yes), port and protected-mode
  // are always written, so that a sentinel on 6379 or in protected mode stays so.
  const p = model('');
  Object.assign(p.server, { port: 6379, protectedMode: true });
  assert.ok(mergeConfig('', p).includes('\nport 6379\nprotected-mode yes\n'));
  // Nothing default is ever appended.
  const fresh = mergeConfig('', model('sentinel monitor m 127.0.0.1 1 2\n'));
  for (const absent of ['down-after', 'parallel-syncs', 'failover-timeout', 'deny-scripts', 'resolve-hostnames', 'announce', 'reboot', 'maxclients', 'loglevel', 'daemonize', 'logfile', 'pidfile', 'bind', 'requirepass']) {
    assert.ok(!fresh.includes(absent), absent);
  }
});

test('generic options: in place with the current value, case of the keyword normalised; non-defaults appended; bind and save', () => {
  const text = 'PORT 1\nBind 127.0.0.1\nsave 900 1\nDir /tmp\nrepl-diskless-sync-delay   0\nuser default on nopass ~* &* +@all\n';
  const cfg = model(text);
  Object.assign(cfg.server, { port: 26380, bind: ['10.0.0.1', '::1'], loglevel: 'debug', logfile: 'a b.log', pidfile: '/run/s.pid', requirepass: 'p"w', maxclients: 5, daemonize: true, protectedMode: true });
  cfg.server.users = [['default', 'on', 'nopass', '~*', '&*', '+@all'], ['bob', 'on', '#' + 'c'.repeat(64), '+@all']];
  assert.equal(
    mergeConfig(text, cfg),
    // redis keeps lines of options it does not manage as they are (here: trimmed only).
    'port 26380\nbind 10.0.0.1 ::1\n\ndir "/d"\nrepl-diskless-sync-delay   0\nuser default on nopass ~* &* +@all\n\n' +
      // protected-mode yes is redis's table default, which redis would not append; a sentinel's
      // default is no, so it is written here.
      `${REWRITE_SIGNATURE}\ndaemonize yes\nloglevel debug\nlogfile "a b.log"\nprotected-mode yes\npidfile "/run/s.pid"\nrequirepass "p\\"w"\nmaxclients 5\n` +
      `user bob on #${'c'.repeat(64)} +@all\nsentinel myid ${MYID}\nsentinel current-epoch 0\n`,
  );
  // redis's default bind (* -::*) is not written, and its line goes.
  const b = model('bind * -::*\n');
  assert.deepEqual(b.server.bind, ['*', '-::*']);
  assert.ok(!mergeConfig('bind * -::*\n', b).includes('bind'));
  assert.deepEqual(
    renderServerConfig(b).map((l) => l.key),
    // http-port and http-tls only replace lines a file has (force: false), like the defaults above.
    ['port', 'daemonize', 'loglevel', 'logfile', 'protected-mode', 'maxclients', 'dir', 'http-port', 'http-tls'],
  );
});

test('lines are trimmed, CRLF dropped, unparsable lines commented out, a fresh file starts with the marker', () => {
  const text = '  # indented\r\n\tport 26379  \r\nfoo "bar\r\n\r\n\r\n\r\n# end';
  const cfg = model('port 26379\n');
  assert.equal(
    mergeConfig(text, cfg),
    `# indented\nport 26379\n# ??? foo "bar\n\n# end\n${REWRITE_SIGNATURE}\nprotected-mode no\ndir "/d"\nsentinel myid ${MYID}\nsentinel current-epoch 0\n`,
  );
  assert.equal(mergeConfig('', cfg), `${REWRITE_SIGNATURE}\nport 26379\nprotected-mode no\ndir "/d"\nsentinel myid ${MYID}\nsentinel current-epoch 0\n`);
  // Directives named like Object.prototype members are ordinary unmanaged lines.
  assert.ok(mergeConfig('constructor 1\n__proto__ x\n', cfg).startsWith('constructor 1\n__proto__ x\n'));
  // An existing marker is not repeated, wherever it is.
  const marked = `${REWRITE_SIGNATURE}\n# user note\n`;
  assert.equal(mergeConfig(marked, cfg).split(REWRITE_SIGNATURE).length, 2);
});

test('bytes that are not UTF-8 survive a rewrite untouched', () => {
  const d = box();
  const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\nsentinel monitor m 127.0.0.1 1 2\n# 中文\n')]);
  writeConf(d, bytes);
  rewriteConfigFile(start(d));
  const out = fs.readFileSync(path.join(d, 'sentinel.conf'));
  assert.ok(out.subarray(0, 7).equals(Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0xff])));
  assert.ok(out.toString('utf8').includes('# 中文\n'));
  // Generated lines are UTF-8.
  const cfg = start(d);
  cfg.masters[0]!.authPass = 'pâss';
  rewriteConfigFile(cfg);
  assert.equal(loadConfig(cfg.path, [], { cwd: d }).masters[0]!.authPass, 'pâss');
});

test('with several masters, appended lines keep redis order: all the lines of one master, then the next', () => {
  const cfg = model('sentinel monitor a 127.0.0.1 1 2\nsentinel monitor b 127.0.0.1 2 2\n');
  cfg.masters[0]!.knownReplicas.push({ host: '127.0.0.1', port: 5 });
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
  const lines = renderSentinelConfig(cfg);
  assert.deepEqual(
    lines.map((l) => l.line),
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
  assert.ok(lines.every((l) => l.line.startsWith(`${l.key} `)), 'each line starts with its key');
  // Default-valued yes/no lines are only offered for in-place reuse.
  cfg.sentinel.denyScriptsReconfig = true;
  assert.deepEqual(
    renderSentinelConfig(cfg).filter((l) => l.force === false).map((l) => l.line),
    ['sentinel deny-scripts-reconfig yes'],
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

test('a deleted config file is written afresh; a directory in its place fails with the OS error', () => {
  const d = box();
  const cfg = model('sentinel monitor m 127.0.0.1 1 2\n');
  cfg.path = path.join(d, 'gone.conf');
  rewriteConfigFile(cfg);
  assert.ok(fs.readFileSync(cfg.path, 'utf8').startsWith(`${REWRITE_SIGNATURE}\n`));
  cfg.path = path.join(d, 'data');
  assert.throws(() => rewriteConfigFile(cfg), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
  assert.ok(fs.statSync(cfg.path).isDirectory());
});

test('http-port, http-bind and http-tls (sentinel-ts): loaded, and written back only when set', () => {
  const cfg = model('sentinel monitor m 127.0.0.1 1 2\nhttp-port 8080\nhttp-bind 127.0.0.1 "::1"\nhttp-tls yes\n');
  assert.deepEqual(cfg.server.http, { port: 8080, bind: ['127.0.0.1', '::1'], tls: true });
  const out = mergeConfig('sentinel monitor m 127.0.0.1 1 2\nhttp-port 8080\nhttp-bind 127.0.0.1 "::1"\nhttp-tls yes\n', cfg);
  assert.match(out, /^http-port 8080$/m);
  assert.match(out, /^http-bind 127\.0\.0\.1 ::1$/m);
  assert.match(out, /^http-tls yes$/m);
  const plain = model('sentinel monitor m 127.0.0.1 1 2\n');
  assert.deepEqual(plain.server.http, { port: 0, bind: null, tls: false });
  assert.ok(!mergeConfig('sentinel monitor m 127.0.0.1 1 2\n', plain).includes('http-'));
});
