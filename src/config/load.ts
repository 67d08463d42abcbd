/**
 * Loads sentinel.conf the way redis-sentinel does: generic directives in file order (with `dir`
 * taking effect at once and `include` inlining files), then the `sentinel` directives in three
 * passes (globals, `monitor`, everything else) so their order in the file does not matter.
 * Every error names the file, the line and redis's reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { splitArgs, reprArg } from '../util/split-args.js';
import { parseStrictInt } from '../protocol/request-parser.js';
import { isIpLiteral } from '../core/addr.js';
import { ConfigError } from './errors.js';
import { AclUser, applyRule } from '../server/acl.js';
import type { MasterConfig, SentinelConfig, ServerOptions } from './model.js';
import { DEFAULT_SENTINEL_PORT, newMasterConfig } from './model.js';

export { ConfigError } from './errors.js';

export interface LoadOptions {
  cwd?: string;
}

interface SourceLine {
  file: string;
  line: number;
  text: string;
  argv: string[];
}

const PASS1 = new Set([
  'announce-ip',
  'announce-port',
  'deny-scripts-reconfig',
  'sentinel-user',
  'sentinel-pass',
  'current-epoch',
  'myid',
  'resolve-hostnames',
  'announce-hostnames',
]);

type TlsStringField = 'certFile' | 'keyFile' | 'keyFilePass' | 'clientCertFile' | 'clientKeyFile' | 'clientKeyFilePass' | 'caCertFile' | 'caCertDir' | 'ciphers' | 'ciphersuites';
const TLS_STRING_FIELDS: Record<string, TlsStringField> = {
  'tls-cert-file': 'certFile',
  'tls-key-file': 'keyFile',
  'tls-key-file-pass': 'keyFilePass',
  'tls-client-cert-file': 'clientCertFile',
  'tls-client-key-file': 'clientKeyFile',
  'tls-client-key-file-pass': 'clientKeyFilePass',
  'tls-ca-cert-file': 'caCertFile',
  'tls-ca-cert-dir': 'caCertDir',
  'tls-ciphers': 'ciphers',
  'tls-ciphersuites': 'ciphersuites',
};

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning', 'nothing'] as const;

export function defaultServerOptions(cwd: string): ServerOptions {
  return {
    port: DEFAULT_SENTINEL_PORT,
    bind: [],
    dir: cwd,
    logfile: '',
    loglevel: 'notice',
    daemonize: false,
    pidfile: '',
    protectedMode: false,
    maxclients: 10000,
    protoMaxBulkLen: 512 * 1024 * 1024,
    clientQueryBufferLimit: 1024 * 1024 * 1024,
    pubsubOutputHardLimit: 32 * 1024 * 1024,
    pubsubOutputSoftLimit: 8 * 1024 * 1024,
    pubsubOutputSoftSeconds: 60,
    users: [],
    tls: {
      port: 0,
      certFile: '',
      keyFile: '',
      keyFilePass: '',
      clientCertFile: '',
      clientKeyFile: '',
      clientKeyFilePass: '',
      caCertFile: '',
      caCertDir: '',
      authClients: 'yes',
      replication: false,
      protocols: '',
      ciphers: '',
      ciphersuites: '',
    },
  };
}

/**
 * Turns `--name v1 v2 --other v` into config lines, as redis-server does with its arguments:
 * the name as given, each value double-quoted (so errors show `port "abc"`, as redis prints).
 */
export function cliArgsToLines(args: readonly string[]): string[] {
  const lines: string[][] = [];
  for (const a of args) {
    if (a.startsWith('--') && a.length > 2) lines.push([a.slice(2)]);
    else if (lines.length > 0) lines[lines.length - 1]!.push(a);
  }
  // `--sentinel` alone only selects sentinel mode.
  return lines.filter((l) => !(l.length === 1 && l[0]!.toLowerCase() === 'sentinel')).map((l) => [l[0]!, ...l.slice(1).map(reprArg)].join(' '));
}

/** Parses a memory size such as 512mb, 1gb, 100k into bytes (redis's memtoull); null if invalid. */
export function parseMemory(s: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mul: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };
  return Number(m[1]) * mul[unit]!;
}

/**
 * A numeric directive as redis's config table checks it: "wrong number of arguments" unless
 * exactly one value, then string2ll (or memtoull for sizes), then the bounds. Returns the
 * value or redis's error text.
 */
function numericArg(args: string[], min: number, max: number | string, memory = false): number | string {
  if (args.length !== 1) return 'wrong number of arguments';
  const v = memory ? parseMemory(args[0]!) : parseStrictInt(args[0]!);
  if (v === null) return memory ? 'argument must be a memory value' : "argument couldn't be parsed into an integer";
  if (v < min || (typeof max === 'number' && v > max)) return `argument must be between ${min} and ${max} inclusive`;
  return v;
}

const LONG_MAX = '9223372036854775807';

/** atoi: the leading integer, 0 when there is none. */
function atoi(s: string): number {
  const m = /^\s*[-+]?\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

function yesNo(s: string | undefined): boolean | null {
  const l = (s ?? '').toLowerCase();
  return l === 'yes' ? true : l === 'no' ? false : null;
}

export function loadConfig(file: string, cliArgs: readonly string[] = [], opts: LoadOptions = {}): SentinelConfig {
  const cwd = opts.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    if (fs.statSync(abs).isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError('SENTINEL_CONFIG_MISSING', `Fatal error, can't open config file '${abs}': ${errText(err)}`, abs);
  }
  try {
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (err) {
    throw new ConfigError('SENTINEL_CONFIG_NOT_WRITABLE', `Sentinel config file ${abs} is not writable: ${errText(err)}. Exiting...`, abs);
  }

  const server = defaultServerOptions(cwd);
  const sentinelLines: SourceLine[] = [];
  const state = { dir: cwd };
  const fileLines = text.split('\n');
  const extra = cliArgsToLines(cliArgs);
  const all = [...fileLines.map((t, i) => ({ t, n: i + 1 })), ...extra.map((t, i) => ({ t, n: fileLines.length + i + 1 }))];
  processLines(abs, all, server, sentinelLines, state, 0);
  server.dir = state.dir;
  // redis gives a daemonized server without a pidfile the default one (and so writes it back).
  if (server.daemonize && !server.pidfile) server.pidfile = '/var/run/redis.pid';

  const cfg: SentinelConfig = {
    path: abs,
    server,
    sentinel: {
      currentEpoch: 0,
      announcePort: 0,
      denyScriptsReconfig: true,
      resolveHostnames: false,
      announceHostnames: false,
    },
    masters: [],
  };
  const byPass = (pass: number): SourceLine[] =>
    sentinelLines.filter((l) => {
      const sub = (l.argv[1] ?? '').toLowerCase();
      if (pass === 1) return PASS1.has(sub);
      if (pass === 2) return sub === 'monitor';
      return !PASS1.has(sub) && sub !== 'monitor';
    });
  for (const pass of [1, 2, 3]) {
    for (const l of byPass(pass)) {
      const reason = applySentinel(cfg, l.argv.slice(1), state.dir);
      if (reason) throw new ConfigError('SENTINEL_CONFIG_BAD_LINE', reason, l.file, l.line, l.text);
    }
  }
  return cfg;
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'EROFS':
      return 'Read-only file system';
    default:
      return e.message;
  }
}

function processLines(
  file: string,
  lines: { t: string; n: number }[],
  server: ServerOptions,
  sentinelLines: SourceLine[],
  state: { dir: string },
  depth: number,
): void {
  for (const { t, n } of lines) {
    const text = t.replace(/\r$/, '').trim();
    if (text === '' || text.startsWith('#')) continue;
    const argv = splitArgs(text);
    const bad = (reason: string): ConfigError => new ConfigError('SENTINEL_CONFIG_BAD_LINE', reason, file, n, text);
    if (argv === null) throw bad('Unbalanced quotes in configuration line');
    if (argv.length === 0) continue;
    const key = argv[0]!.toLowerCase();
    const args = argv.slice(1);
    if (key === 'sentinel') {
      // A bare `sentinel` only selects sentinel mode (redis ignores it here).
      if (args.length > 0) sentinelLines.push({ file, line: n, text, argv });
      continue;
    }
    if (key === 'include') {
      if (args.length !== 1) throw bad('Bad directive or wrong number of arguments');
      if (depth > 16) throw bad('include nesting too deep');
      const inc = path.resolve(state.dir, args[0]!);
      let incText: string;
      try {
        incText = fs.readFileSync(inc, 'utf8');
      } catch (err) {
        throw bad(`Fatal error, can't open config file '${inc}': ${errText(err)}`);
      }
      processLines(inc, incText.split('\n').map((x, i) => ({ t: x, n: i + 1 })), server, sentinelLines, state, depth + 1);
      continue;
    }
    const reason = applyGeneric(key, args, server, state);
    if (reason) throw bad(reason);
  }
}

function applyGeneric(key: string, args: string[], s: ServerOptions, state: { dir: string }): string | null {
  const one = args[0] ?? '';
  const needOne = (): string | null => (args.length === 1 ? null : 'wrong number of arguments');
  switch (key) {
    case 'port': {
      const p = numericArg(args, 0, 65535);
      if (typeof p === 'string') return p;
      s.port = p;
      return null;
    }
    case 'bind':
      if (args.length === 0) return 'wrong number of arguments';
      s.bind = args.filter((a) => a !== '' && a !== '""');
      return null;
    case 'dir': {
      if (needOne()) return 'wrong number of arguments';
      const d = path.resolve(state.dir, one);
      // redis reports chdir()'s strerror alone.
      try {
        if (!fs.statSync(d).isDirectory()) return 'Not a directory';
      } catch (err) {
        return errText(err);
      }
      state.dir = d;
      return null;
    }
    case 'logfile':
      if (needOne()) return 'wrong number of arguments';
      s.logfile = one;
      return null;
    case 'pidfile':
      if (needOne()) return 'wrong number of arguments';
      s.pidfile = one;
      return null;
    case 'loglevel': {
      const l = one.toLowerCase();
      if (needOne()) return needOne();
      if (!(LOG_LEVELS as readonly string[]).includes(l)) return 'argument(s) must be one of the following: debug, verbose, notice, warning, nothing';
      s.loglevel = l as ServerOptions['loglevel'];
      return null;
    }
    case 'daemonize':
    case 'protected-mode': {
      const v = yesNo(one);
      if (needOne()) return needOne();
      if (v === null) return "argument must be 'yes' or 'no'";
      if (key === 'daemonize') s.daemonize = v;
      else s.protectedMode = v;
      return null;
    }
    case 'requirepass':
      if (needOne()) return 'wrong number of arguments';
      if (one === '') delete s.requirepass;
      else s.requirepass = one;
      return null;
    case 'user': {
      if (args.length < 1) return 'wrong number of arguments';
      try {
        const probe = new AclUser(args[0]!);
        for (const rule of args.slice(1)) applyRule(probe, rule);
      } catch (e) {
        return `Error in user declaration '${args[0]}': ${(e as Error).message}`;
      }
      s.users.push([...args]);
      return null;
    }
    case 'maxclients': {
      // An unsigned option in redis: a negative value is "out of bounds", not unparsable.
      const n = numericArg(args, 1, 4294967295);
      if (typeof n === 'string') return n;
      s.maxclients = n;
      return null;
    }
    case 'proto-max-bulk-len':
    case 'client-query-buffer-limit': {
      const n = numericArg(args, 1024 * 1024, LONG_MAX, true);
      if (typeof n === 'string') return n;
      if (key === 'proto-max-bulk-len') s.protoMaxBulkLen = n;
      else s.clientQueryBufferLimit = n;
      return null;
    }
    case 'tls-port': {
      const p = numericArg(args, 0, 65535);
      if (typeof p === 'string') return p;
      s.tls.port = p;
      return null;
    }
    case 'tls-cert-file':
    case 'tls-key-file':
    case 'tls-key-file-pass':
    case 'tls-client-cert-file':
    case 'tls-client-key-file':
    case 'tls-client-key-file-pass':
    case 'tls-ca-cert-file':
    case 'tls-ca-cert-dir':
    case 'tls-ciphers':
    case 'tls-ciphersuites': {
      if (needOne()) return 'wrong number of arguments';
      const field = TLS_STRING_FIELDS[key]!;
      s.tls[field] = one;
      return null;
    }
    case 'tls-protocols':
      s.tls.protocols = args.join(' ');
      return null;
    case 'tls-auth-clients': {
      const v = one.toLowerCase();
      if (needOne() || !['yes', 'no', 'optional'].includes(v)) return "argument must be 'yes', 'no' or 'optional'";
      s.tls.authClients = v as ServerOptions['tls']['authClients'];
      return null;
    }
    case 'tls-replication': {
      const v = yesNo(one);
      if (needOne() || v === null) return "argument must be 'yes' or 'no'";
      s.tls.replication = v;
      return null;
    }
    case 'client-output-buffer-limit': {
      if (args.length === 0 || args.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
      for (let i = 0; i < args.length; i += 4) {
        const cls = args[i]!.toLowerCase();
        const hard = parseMemory(args[i + 1]!);
        const soft = parseMemory(args[i + 2]!);
        const secs = parseStrictInt(args[i + 3]!);
        if (!['normal', 'replica', 'slave', 'pubsub'].includes(cls)) return 'Invalid client class specified in buffer limit configuration.';
        if (hard === null || soft === null || secs === null || secs < 0) return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
        if (cls === 'pubsub') {
          s.pubsubOutputHardLimit = hard;
          s.pubsubOutputSoftLimit = soft;
          s.pubsubOutputSoftSeconds = secs;
        }
      }
      return null;
    }
    default:
      // Any other redis directive is accepted and left alone (it stays in the file on rewrite).
      return null;
  }
}

function findMaster(cfg: SentinelConfig, name: string | undefined): MasterConfig | undefined {
  return cfg.masters.find((m) => m.name === name);
}

/** Applies one `sentinel ...` directive; returns redis's error reason, or null. */
function applySentinel(cfg: SentinelConfig, a: string[], dir: string): string | null {
  const sub = (a[0] ?? '').toLowerCase();
  const n = a.length;
  const g = cfg.sentinel;
  const unrecognized = 'Unrecognized sentinel configuration statement.';
  const perMaster = (arity: number, f: (m: MasterConfig) => string | null): string | null => {
    if (n !== arity) return unrecognized;
    const m = findMaster(cfg, a[1]);
    if (!m) return 'No such master with specified name.';
    return f(m);
  };
  const executable = (p: string): boolean => {
    try {
      fs.accessSync(path.resolve(dir, p), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  switch (sub) {
    case 'monitor': {
      if (n !== 5) return unrecognized;
      const quorum = atoi(a[4]!);
      if (quorum <= 0) return 'Quorum must be 1 or greater.';
      const port = atoi(a[3]!);
      if (port < 0 || port > 65535) return 'Invalid port number.';
      if (!g.resolveHostnames && !isIpLiteral(a[2]!)) return "Can't resolve instance hostname.";
      if (findMaster(cfg, a[1])) return 'Duplicate master name.';
      cfg.masters.push(newMasterConfig(a[1]!, a[2]!, port, quorum));
      return null;
    }
    case 'down-after-milliseconds':
    case 'failover-timeout':
      return perMaster(3, (m) => {
        const v = atoi(a[2]!);
        if (v <= 0) return 'negative or zero time parameter.';
        if (sub === 'down-after-milliseconds') m.downAfterMs = v;
        else m.failoverTimeoutMs = v;
        return null;
      });
    case 'parallel-syncs':
      return perMaster(3, (m) => {
        m.parallelSyncs = atoi(a[2]!);
        return null;
      });
    case 'notification-script':
    case 'client-reconfig-script':
      return perMaster(3, (m) => {
        if (!executable(a[2]!)) {
          return sub === 'notification-script'
            ? 'Notification script seems non existing or non executable.'
            : 'Client reconfiguration script seems non existing or non executable.';
        }
        if (sub === 'notification-script') m.notificationScript = a[2]!;
        else m.clientReconfigScript = a[2]!;
        return null;
      });
    case 'auth-pass':
      return perMaster(3, (m) => {
        m.authPass = a[2]!;
        return null;
      });
    case 'auth-user':
      return perMaster(3, (m) => {
        m.authUser = a[2]!;
        return null;
      });
    case 'master-reboot-down-after-period':
    case 'primary-reboot-down-after-period':
      return perMaster(3, (m) => {
        const v = atoi(a[2]!);
        if (v < 0) return 'negative time parameter.';
        m.masterRebootDownAfterPeriodMs = v;
        return null;
      });
    case 'rename-command':
      return perMaster(4, (m) => {
        const from = a[2]!.toUpperCase();
        if (m.renamedCommands.some(([f]) => f === from)) return 'Same command renamed multiple times with rename-command.';
        m.renamedCommands.push([from, a[3]!]);
        return null;
      });
    case 'config-epoch':
      return perMaster(3, (m) => {
        m.configEpoch = atoi(a[2]!);
        if (m.configEpoch > g.currentEpoch) g.currentEpoch = m.configEpoch;
        return null;
      });
    case 'leader-epoch':
      return perMaster(3, (m) => {
        m.leaderEpoch = atoi(a[2]!);
        return null;
      });
    // Instances are checked as redis creates them: port range, then address, then duplicates.
    case 'known-replica':
    case 'known-slave':
      return perMaster(4, (m) => {
        const port = atoi(a[3]!);
        if (port < 0 || port > 65535) return 'Invalid port number.';
        if (!g.resolveHostnames && !isIpLiteral(a[2]!)) return "Can't resolve instance hostname.";
        if (m.knownReplicas.some((r) => r.host === a[2] && r.port === port)) return 'Duplicate hostname and port for replica.';
        m.knownReplicas.push({ host: a[2]!, port });
        return null;
      });
    case 'known-sentinel': {
      // The legacy form without a runid is ignored entirely, even for an unknown master.
      if (n === 4) return null;
      return perMaster(5, (m) => {
        const runid = a[4]!;
        const port = atoi(a[3]!);
        if (port < 0 || port > 65535) return 'Invalid port number.';
        if (!g.resolveHostnames && !isIpLiteral(a[2]!)) return "Can't resolve instance hostname.";
        if (m.knownSentinels.some((s) => s.runid === runid)) return 'Duplicate runid for sentinel.';
        m.knownSentinels.push({ host: a[2]!, port, runid });
        return null;
      });
    }
    case 'current-epoch': {
      if (n !== 2) return unrecognized;
      const e = atoi(a[1]!);
      if (e > g.currentEpoch) g.currentEpoch = e;
      return null;
    }
    case 'myid':
      if (n !== 2) return unrecognized;
      if (a[1]!.length !== 40) return 'Malformed Sentinel id in myid option.';
      g.myid = a[1]!;
      return null;
    case 'announce-ip':
      if (n !== 2) return unrecognized;
      if (a[1]!.length > 0) g.announceIp = a[1]!;
      return null;
    case 'announce-port':
      if (n !== 2) return unrecognized;
      g.announcePort = atoi(a[1]!);
      return null;
    case 'deny-scripts-reconfig': {
      if (n !== 2) return unrecognized;
      const v = yesNo(a[1]);
      if (v === null) return 'Please specify yes or no for the deny-scripts-reconfig options.';
      g.denyScriptsReconfig = v;
      return null;
    }
    case 'sentinel-user':
    case 'sentinel-pass':
      if (n !== 2) return unrecognized;
      if (a[1]!.length > 0) {
        if (sub === 'sentinel-user') g.sentinelUser = a[1]!;
        else g.sentinelPass = a[1]!;
      }
      return null;
    case 'resolve-hostnames':
    case 'announce-hostnames': {
      if (n !== 2) return unrecognized;
      const v = yesNo(a[1]);
      if (v === null) return `Please specify yes or no for the ${sub} option.`;
      if (sub === 'resolve-hostnames') g.resolveHostnames = v;
      else g.announceHostnames = v;
      return null;
    }
    default:
      return unrecognized;
  }
}
