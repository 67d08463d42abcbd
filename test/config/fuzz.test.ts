/**
 * Property tests: the loader only ever fails with a ConfigError, whatever it is fed; and any
 * configuration the rewrite writes, merged into any old file, loads back to the same model
 * while the user's own lines stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { defaultServerOptions } from '../../src/config/server-directives.js';
import { ConfigError } from '../../src/util/errors.js';
import { rewriteConfigFile } from '../../src/config/rewrite.js';
import type { MasterConfig, SentinelConfig } from '../../src/config/model.js';
import { newMasterConfig } from '../../src/config/model.js';
import { box, prng, writeConf } from './helpers.js';

const WORDS = [
  'sentinel', 'SENTINEL', 'monitor', 'm', 'known-replica', 'known-sentinel', 'known-slave', 'myid', 'current-epoch', 'config-epoch', 'leader-epoch',
  'down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'rename-command', 'auth-pass', 'auth-user', 'announce-ip', 'announce-port',
  'notification-script', 'client-reconfig-script', 'master-reboot-down-after-period', 'primary-reboot-down-after-period', 'deny-scripts-reconfig',
  'sentinel-user', 'sentinel-pass', 'resolve-hostnames', 'announce-hostnames', 'yes', 'no', 'port', 'tls-port', 'dir', 'include', 'maxclients',
  'loglevel', 'logfile', 'pidfile', 'daemonize', 'protected-mode', 'client-output-buffer-limit', 'proto-max-bulk-len', 'client-query-buffer-limit',
  'pubsub', 'normal', 'bind', 'requirepass', 'user', 'default', 'on', 'off', 'nopass', '+@all', '>pw', 'tls-auth-clients', 'tls-replication',
  '127.0.0.1', '::1', '0x7f.1', 'localhost', '6379', '-1', '0', '2', '4294967297', '99999999999999999999', '1mb', '32xb', '"', "'", '"a b"',
  "'c d'", '\\x41', '"\\x4"', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '1constructor', '#', '\t', 'é', '\0', '\r', 'a'.repeat(40), '""', '*', 'conf.d/*', '/', '.', '..', '/dev/null', 'sentinel.conf',
];

function garbageLine(rnd: (n: number) => number): string {
  if (rnd(10) === 0) {
    // Raw random characters, control characters and quotes included.
    let s = '';
    for (let k = rnd(40); k > 0; k--) s += String.fromCharCode(rnd(5) === 0 ? rnd(0x3000) : 32 + rnd(95));
    return s;
  }
  const parts: string[] = [];
  for (let w = rnd(7); w > 0; w--) parts.push(WORDS[rnd(WORDS.length)]!);
  return parts.join(rnd(5) === 0 ? '' : rnd(4) === 0 ? '  ' : ' ');
}

test('fuzz: random garbage in the file and on the command line only ever gives a ConfigError (seeded)', () => {
  const rnd = prng(99);
  const d = box();
  let errors = 0;
  let loaded = 0;
  for (let i = 0; i < 2500; i++) {
    const lines: string[] = [];
    for (let j = 1 + rnd(6); j > 0; j--) lines.push(garbageLine(rnd));
    const cli: string[] = [];
    if (rnd(4) === 0) {
      for (let j = rnd(6); j > 0; j--) cli.push(rnd(3) === 0 ? `--${WORDS[rnd(WORDS.length)]!}` : WORDS[rnd(WORDS.length)]!);
    }
    writeConf(d, lines.join(rnd(3) === 0 ? '\r\n' : '\n'));
    try {
      loadConfig('sentinel.conf', cli, { cwd: d });
      loaded++;
    } catch (err) {
      assert.ok(err instanceof ConfigError, `${JSON.stringify(lines)} ${JSON.stringify(cli)} threw ${String(err)}`);
      assert.match(err.code, /^SENTINEL_CONFIG_/);
      assert.ok(err.reason.length > 0);
      errors++;
    }
  }
  // Both outcomes must be common. Few files load: a line whose first word is not a directive
  // redis knows is refused, as redis-sentinel refuses it.
  assert.ok(errors > 300 && loaded > 50, `errors=${errors} loaded=${loaded}`);
});

test('fuzz: random bytes as a whole file only ever give a ConfigError (seeded)', () => {
  const rnd = prng(7);
  const d = box();
  for (let i = 0; i < 500; i++) {
    const bytes = Buffer.alloc(rnd(300));
    for (let k = 0; k < bytes.length; k++) bytes[k] = rnd(4) === 0 ? 10 : rnd(256);
    writeConf(d, bytes);
    try {
      loadConfig('sentinel.conf', [], { cwd: d });
    } catch (err) {
      assert.ok(err instanceof ConfigError, `${bytes.toString('hex')} threw ${String(err)}`);
    }
  }
});

/** Strings a user or a peer might put in names and passwords, the awkward ones included. */
const TRICKY = [
  'mymaster', 'with space', 'quote"d', "single'q", 'back\\slash', 'tab\there', 'new\nline', '#hash', 'ünïcödé', '中文', '\x01ctl', 'nul\0byte',
  '""', "''", 'x'.repeat(300), '\\x41', ' lead', 'trail ', '-', '*', 'a#b',
];
const IPS = ['127.0.0.1', '10.1.2.3', '0.0.0.0', '::1', 'fe80::1', '::ffff:1.2.3.4', '2001:db8::5', '1:2:3:4:5:6:7:8'];
const COMMANDS = ['CONFIG', 'SLAVEOF', 'REPLICAOF', 'INFO', 'PING', 'AUTH', 'CLIENT', 'SHUTDOWN'];

function hex40(rnd: (n: number) => number): string {
  let s = '';
  for (let i = 0; i < 40; i++) s += '0123456789abcdef'[rnd(16)];
  return s;
}

function int32(rnd: (n: number) => number): number {
  return rnd(2) ? rnd(100000) : rnd(4294967296) - 2147483648;
}

/** A random model the loader can produce (so that loading its rewrite must give it back). */
function randomModel(rnd: (n: number) => number, dir: string, file: string): SentinelConfig {
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;
  const maybe = <T>(v: T): T | undefined => (rnd(2) ? v : undefined);
  const resolveHostnames = rnd(3) === 0;
  const host = (): string => (resolveHostnames && rnd(3) === 0 ? `host-${rnd(50)}.example` : pick(IPS));
  const masters: MasterConfig[] = [];
  const names = new Set<string>();
  for (let i = rnd(4); i > 0; i--) {
    const name = rnd(2) ? pick(TRICKY) : `m${rnd(1000)}`;
    if (names.has(name)) continue;
    names.add(name);
    const m = newMasterConfig(name, host(), rnd(65536), 1 + rnd(5));
    if (rnd(2)) m.downAfterMs = 1 + rnd(2147483647);
    if (rnd(2)) m.failoverTimeoutMs = 1 + rnd(2147483647);
    if (rnd(2)) m.parallelSyncs = int32(rnd);
    if (rnd(4) === 0) m.notificationScript = pick(['notify.sh', './notify.sh', `${dir}/notify.sh`]);
    if (rnd(4) === 0) m.clientReconfigScript = 'notify.sh';
    const pass = maybe(pick(TRICKY));
    if (pass !== undefined) m.authPass = pass;
    const user = maybe(pick(TRICKY));
    if (user !== undefined) m.authUser = user;
    if (rnd(3) === 0) m.masterRebootDownAfterPeriodMs = rnd(2147483647);
    const renamed = new Set<string>();
    for (let k = rnd(3); k > 0; k--) {
      const c = pick(COMMANDS);
      if (!renamed.has(c)) m.renamedCommands.push([c, rnd(3) ? pick(TRICKY) : '']);
      renamed.add(c);
    }
    m.configEpoch = rnd(3) ? rnd(1000) : rnd(2 ** 52);
    m.leaderEpoch = rnd(1000);
    const replicas = new Set<string>();
    for (let k = rnd(4); k > 0; k--) {
      const r = { host: host(), port: rnd(65536) };
      if (!replicas.has(`${r.host}:${r.port}`)) m.knownReplicas.push(r);
      replicas.add(`${r.host}:${r.port}`);
    }
    for (let k = rnd(4); k > 0; k--) m.knownSentinels.push({ host: host(), port: rnd(65536), runid: hex40(rnd) });
    masters.push(m);
  }
  const server = defaultServerOptions(dir);
  server.port = rnd(65536);
  server.bind = rnd(2) ? [] : [...new Set(Array.from({ length: 1 + rnd(3) }, () => pick(IPS)))];
  server.loglevel = pick(['debug', 'verbose', 'notice', 'warning', 'nothing'] as const);
  server.logfile = rnd(2) ? '' : pick(TRICKY);
  server.daemonize = rnd(4) === 0;
  server.pidfile = server.daemonize || rnd(2) ? pick(TRICKY) : '';
  const rp = maybe(pick(TRICKY));
  if (rp !== undefined) server.requirepass = rp;
  server.maxclients = 1 + rnd(4294967295);
  server.protectedMode = rnd(4) === 0;
  if (rnd(3) === 0) server.users = [['default', 'on', 'nopass', '~*', '&*', '+@all']];
  const cfg: SentinelConfig = {
    path: file,
    server,
    sentinel: {
      myid: hex40(rnd),
      currentEpoch: Math.max(rnd(2000), ...masters.map((m) => m.configEpoch)),
      announcePort: rnd(2) ? 0 : int32(rnd),
      denyScriptsReconfig: rnd(2) === 0,
      resolveHostnames,
      announceHostnames: rnd(2) === 0,
    },
    masters,
  };
  const ip = maybe(pick([...TRICKY, ...IPS]));
  if (ip !== undefined && ip !== '') cfg.sentinel.announceIp = ip;
  const su = maybe(pick(TRICKY));
  if (su) cfg.sentinel.sentinelUser = su;
  const sp = maybe(pick(TRICKY));
  if (sp) cfg.sentinel.sentinelPass = sp;
  return cfg;
}

/** Lines the rewrite must leave alone, and comments. */
const USER_LINES = ['# a comment', '#', '# Generated by CONFIG REWRITE', 'repl-diskless-sync-delay 0', 'enable-debug-command yes', 'tcp-keepalive 300', 'include conf.d/*.conf', 'rename-command FLUSHALL ""', 'hz 10', 'slaveof 127.0.0.1 6379', 'loadmodule /x.so a b', 'sentinel', 'SENTINEL'];

test('property: whatever the old file held, the rewritten file loads back to the same model and keeps the user lines (seeded)', () => {
  const rnd = prng(2024);
  for (let round = 0; round < 100; round++) {
    const d = box();
    fs.writeFileSync(path.join(d, 'notify.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const file = path.join(d, 'sentinel.conf');
    // An old file: a previous rewrite of another model, with user lines scattered in it.
    fs.writeFileSync(file, '');
    rewriteConfigFile(randomModel(rnd, d, file));
    const old = fs.readFileSync(file, 'utf8').split('\n');
    const kept: string[] = [];
    for (let k = rnd(6); k > 0; k--) {
      const l = USER_LINES[rnd(USER_LINES.length)]!;
      old.splice(rnd(old.length + 1), 0, l);
      if (!kept.includes(l)) kept.push(l);
    }
    fs.writeFileSync(file, old.join(rnd(4) === 0 ? '\r\n' : '\n'));

    const cfg = randomModel(rnd, d, file);
    rewriteConfigFile(cfg);
    const text = fs.readFileSync(file, 'utf8');
    let back: SentinelConfig;
    try {
      back = loadConfig(file, [], { cwd: d });
    } catch (err) {
      assert.fail(`round ${round}: ${String(err)}\n${text}`);
    }
    assert.deepEqual(back, cfg, `round ${round}:\n${text}`);
    for (const l of kept) assert.ok(text.split('\n').includes(l), `round ${round}: lost ${JSON.stringify(l)}\n${text}`);
    const markers = (lines: string[]): number => lines.filter((l) => l.trim() === '# Generated by CONFIG REWRITE').length;
    assert.equal(markers(text.split('\n')), Math.max(1, markers(old)), 'a marker is added only when there is none');
    // Rewriting the same state settles at once (redis keeps at most one final empty line).
    rewriteConfigFile(back);
    const settled = fs.readFileSync(file, 'utf8');
    rewriteConfigFile(back);
    assert.equal(fs.readFileSync(file, 'utf8'), settled);
    fs.rmSync(d, { recursive: true, force: true });
  }
});
