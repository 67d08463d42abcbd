/**
 * The generic (redis-server) directives the sentinel uses: port, bind, dir, logging, limits,
 * requirepass and `user` lines, TLS. Values are checked with the rules of redis's config table
 * (config.c), and the error reasons are redis's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AclUser, applyRules } from '../acl/user.js';
import { strerror } from '../util/errors.js';
import { LLONG_MAX, ULLONG_MAX, WHOLE_INT, string2llBig, strtol, yesNo } from '../util/parse.js';
import { multiValues } from './directives.js';
import type { ServerOptions, TlsOptions } from './model.js';
import { DEFAULT_SENTINEL_PORT } from './model.js';

/** redis sets the sentinel-mode defaults before reading the file: port 26379, protected-mode no. */
export function defaultServerOptions(cwd: string): ServerOptions {
  return {
    port: DEFAULT_SENTINEL_PORT,
    bind: [],
    dir: cwd,
    logfile: '',
    loglevel: 'notice',
    daemonize: false,
    supervised: 'no',
    pidfile: '',
    protectedMode: false,
    maxclients: 10000,
    tcpBacklog: null,
    protoMaxBulkLen: 512 * 1024 * 1024,
    clientQueryBufferLimit: 1024 * 1024 * 1024,
    pubsubOutputHardLimit: 32 * 1024 * 1024,
    pubsubOutputSoftLimit: 8 * 1024 * 1024,
    pubsubOutputSoftSeconds: 60,
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
      preferServerCiphers: false,
      dhParamsFile: '',
      sessionCaching: true,
      sessionCacheTimeout: 300,
    },
    users: [],
    aclfile: '',
    acllogMaxLen: 128,
    aclPubsubDefault: 'resetchannels',
    http: { port: 0, bind: null, tls: false },
  };
}

/** What redis uses for a daemon that names no pidfile (createPidFile). */
export const DEFAULT_DAEMON_PIDFILE = '/var/run/redis.pid';

type TlsStringField = 'certFile' | 'keyFile' | 'keyFilePass' | 'clientCertFile' | 'clientKeyFile' | 'clientKeyFilePass' | 'caCertFile' | 'caCertDir' | 'ciphers' | 'ciphersuites' | 'dhParamsFile';
const TLS_STRING_FIELDS = new Map<string, TlsStringField>(Object.entries({
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
  'tls-dh-params-file': 'dhParamsFile',
}) as [string, TlsStringField][]);

const LOG_LEVELS: readonly ServerOptions['loglevel'][] = ['debug', 'verbose', 'notice', 'warning', 'nothing'];
const SUPERVISED: readonly ServerOptions['supervised'][] = ['upstart', 'systemd', 'auto', 'no'];

/** CONFIG_BINDADDR_MAX */
const MAX_BIND_ADDRESSES = 16;

const MEMORY_UNITS = new Map<string, bigint>([
  ['', 1n],
  ['b', 1n],
  ['k', 1000n],
  ['kb', 1024n],
  ['m', 1000n ** 2n],
  ['mb', 1024n ** 2n],
  ['g', 1000n ** 3n],
  ['gb', 1024n ** 3n],
]);

/**
 * memtoull: digits followed by an optional unit (b, k, kb, m, mb, g, gb; any case). As in redis
 * the digits may be missing (the value is then 0) and an overflow wraps at 64 bits.
 */
function memtoull(s: string): bigint | null {
  const m = /^([0-9]*)(.*)$/s.exec(s)!;
  const unit = MEMORY_UNITS.get(m[2]!.toLowerCase());
  if (unit === undefined || m[1]!.length >= 128) return null;
  let digits = m[1] === '' ? 0n : BigInt(m[1]!);
  if (digits > ULLONG_MAX) digits = ULLONG_MAX;
  return BigInt.asUintN(64, digits * unit);
}

/** A memory size such as 512mb, 1gb, 100k, in bytes; null if redis would not accept it. */
export function parseMemory(s: string): number | null {
  const v = memtoull(s);
  return v === null ? null : Number(v);
}

/** What a generic directive changes: the options, and the directory relative paths start from. */
export interface ServerDirectiveTarget {
  readonly server: ServerOptions;
  /** `dir` moves it, for the lines that follow. */
  dir: string;
}

/**
 * Applies a generic (non-sentinel) directive whose count of values directiveCountError has
 * accepted (so a single-value directive has exactly one); returns redis's error reason, or null.
 * Directives the sentinel does not use are accepted untouched: the rewrite keeps their lines.
 */
export function applyServerDirective(t: ServerDirectiveTarget, key: string, args: string[]): string | null {
  const s = t.server;
  /**
   * redis's rule for numeric options: an integer (string2ll), within [min, max].
   * Unsigned options wrap a negative value first, so that it fails the range check.
   */
  const integer = (min: bigint, max: bigint, unsigned = false): number | string => {
    const v = string2llBig(args[0]!);
    if (v === null) return "argument couldn't be parsed into an integer";
    const n = unsigned ? BigInt.asUintN(64, v) : v;
    if (n < min || n > max) return `argument must be between ${min} and ${max} inclusive`;
    return Number(n);
  };
  switch (key) {
    case 'port': {
      const v = integer(0n, 65535n);
      if (typeof v === 'string') return v;
      s.port = v;
      return null;
    }
    case 'tcp-backlog': {
      const v = integer(0n, 2147483647n);
      if (typeof v === 'string') return v;
      s.tcpBacklog = v;
      return null;
    }
    case 'maxclients': {
      const v = integer(1n, 4294967295n, true);
      if (typeof v === 'string') return v;
      s.maxclients = v;
      return null;
    }
    case 'proto-max-bulk-len':
    case 'client-query-buffer-limit': {
      const v = memtoull(args[0]!);
      if (v === null) return 'argument must be a memory value';
      if (v < 1024n * 1024n || v > LLONG_MAX) return `argument must be between ${1024 * 1024} and ${LLONG_MAX} inclusive`;
      if (key === 'proto-max-bulk-len') s.protoMaxBulkLen = Number(v);
      else s.clientQueryBufferLimit = Number(v);
      return null;
    }
    // sentinel-ts only: the HTTP side.
    case 'http-port': {
      const v = integer(0n, 65535n);
      if (typeof v === 'string') return v;
      s.http.port = v;
      return null;
    }
    case 'http-bind': {
      const addrs = multiValues(args).filter((a) => a !== '');
      if (addrs.length > MAX_BIND_ADDRESSES) return 'Too many bind addresses specified.';
      s.http.bind = addrs.length === 0 ? null : addrs;
      return null;
    }
    case 'http-tls': {
      const v = yesNo(args[0]!);
      if (v === null) return "argument must be 'yes' or 'no'";
      s.http.tls = v;
      return null;
    }
    case 'bind': {
      let addrs = multiValues(args);
      if (addrs.length > MAX_BIND_ADDRESSES) return 'Too many bind addresses specified.';
      if (addrs.length === 1 && addrs[0] === '') addrs = [];
      s.bind = addrs;
      return null;
    }
    case 'dir': {
      // chdir("") fails; path.resolve would quietly return the current dir.
      if (args[0] === '') return strerror({ code: 'ENOENT' });
      const d = path.resolve(t.dir, args[0]!);
      try {
        if (!fs.statSync(d).isDirectory()) return strerror({ code: 'ENOTDIR' });
        fs.accessSync(d, fs.constants.X_OK);
      } catch (err) {
        return strerror(err); // redis reports chdir()'s strerror alone
      }
      t.dir = d;
      s.dir = d;
      return null;
    }
    case 'logfile':
      s.logfile = args[0]!;
      return null;
    case 'pidfile':
      s.pidfile = args[0]!; // "" means none, as redis's EMPTY_STRING_IS_NULL
      return null;
    case 'requirepass':
      if (args[0] === '') delete s.requirepass;
      else s.requirepass = args[0]!;
      return null;
    case 'loglevel': {
      const l = args[0]!.toLowerCase() as ServerOptions['loglevel'];
      if (!LOG_LEVELS.includes(l)) return `argument(s) must be one of the following: ${LOG_LEVELS.join(', ')}`;
      s.loglevel = l;
      return null;
    }
    case 'supervised': {
      const v = args[0]!.toLowerCase() as ServerOptions['supervised'];
      if (!SUPERVISED.includes(v)) return `argument(s) must be one of the following: ${SUPERVISED.join(', ')}`;
      s.supervised = v;
      return null;
    }
    case 'daemonize':
    case 'protected-mode': {
      const v = yesNo(args[0]!);
      if (v === null) return "argument must be 'yes' or 'no'";
      if (key === 'daemonize') s.daemonize = v;
      else s.protectedMode = v;
      return null;
    }
    case 'client-output-buffer-limit':
      return outputBufferLimits(s, multiValues(args));
    case 'user':
      return userDirective(s, args);
    case 'aclfile':
      s.aclfile = args[0]!; // relative to the working directory at start-up, as in redis
      return null;
    case 'acllog-max-len': {
      const v = integer(0n, LLONG_MAX, true);
      if (typeof v === 'string') return v;
      s.acllogMaxLen = v;
      return null;
    }
    case 'acl-pubsub-default': {
      const v = args[0]!.toLowerCase();
      if (v !== 'allchannels' && v !== 'resetchannels') return 'argument(s) must be one of the following: allchannels, resetchannels';
      s.aclPubsubDefault = v;
      return null;
    }
    case 'tls-port': {
      const v = integer(0n, 65535n);
      if (typeof v === 'string') return v;
      s.tls.port = v;
      return null;
    }
    case 'tls-protocols':
      s.tls.protocols = args[0]!;
      return null;
    case 'tls-auth-clients': {
      const v = args[0]!.toLowerCase();
      if (v !== 'yes' && v !== 'no' && v !== 'optional') return "argument must be 'yes', 'no' or 'optional'";
      s.tls.authClients = v as TlsOptions['authClients'];
      return null;
    }
    case 'tls-replication':
    case 'tls-prefer-server-ciphers':
    case 'tls-session-caching': {
      const v = yesNo(args[0]!);
      if (v === null) return "argument must be 'yes' or 'no'";
      if (key === 'tls-replication') s.tls.replication = v;
      else if (key === 'tls-prefer-server-ciphers') s.tls.preferServerCiphers = v;
      else s.tls.sessionCaching = v;
      return null;
    }
    case 'tls-session-cache-timeout': {
      const v = integer(0n, 2147483647n);
      if (typeof v === 'string') return v;
      s.tls.sessionCacheTimeout = v;
      return null;
    }
    default: {
      const tlsField = TLS_STRING_FIELDS.get(key);
      if (tlsField) {
        s.tls[tlsField] = args[0]!;
        return null;
      }
      // Any other directive redis knows (directives.ts has refused the rest) is accepted without
      // being interpreted; the rewrite leaves its line as it is.
      return null;
    }
  }
}

/** `user <name> [rule ...]`: the rules are tried on a scratch user, as redis does at load. */
function userDirective(s: ServerOptions, args: string[]): string | null {
  const name = args[0]!;
  if (s.users.some((u) => u[0] === name)) {
    return `Error in user declaration '${name}': Duplicate user found. A user can only be defined once in config files`;
  }
  const failure = applyRules(new AclUser(name), args.slice(1));
  // redis names a token by a miscomputed index here; naming the failing rule is clearer.
  if (failure?.kind === 'unclosed') return `Error in user declaration '${failure.at}': Unmatched parenthesis in acl selector`;
  if (failure) return `Error in user declaration '${failure.rule}': ${failure.error.message}`;
  s.users.push([...args]);
  return null;
}

/** `client-output-buffer-limit <class> <hard> <soft> <seconds> ...`: all checked, then applied. */
function outputBufferLimits(s: ServerOptions, args: string[]): string | null {
  if (args.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
  let pubsub: [number, number, number] | null = null;
  for (let i = 0; i < args.length; i += 4) {
    const cls = args[i]!.toLowerCase();
    if (!['normal', 'slave', 'replica', 'pubsub'].includes(cls)) return 'Invalid client class specified in buffer limit configuration.';
    const hard = memtoull(args[i + 1]!);
    const soft = memtoull(args[i + 2]!);
    // strtoll with an end check, stored in an int: blanks and a sign may lead, nothing may trail.
    const secsText = args[i + 3]!;
    const secs = secsText === '' ? 0 : WHOLE_INT.test(secsText) ? Number(BigInt.asIntN(32, strtol(secsText))) : -1;
    if (hard === null || soft === null || secs < 0) return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
    if (cls === 'pubsub') pubsub = [Number(hard), Number(soft), secs];
  }
  if (pubsub) [s.pubsubOutputHardLimit, s.pubsubOutputSoftLimit, s.pubsubOutputSoftSeconds] = pubsub;
  return null;
}
