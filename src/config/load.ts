/**
 * Loads sentinel.conf the way redis-sentinel 7.x does (config.c loadServerConfig and
 * sentinel.c loadSentinelConfigFromQueue): the file's lines then the command-line options, in
 * order, with `dir` taking effect at once and `include` inlining files; the `sentinel` lines are
 * queued and applied afterwards in three passes (globals, `monitor`, everything else) so that
 * their order in the file does not matter. Every error carries redis's reason and the line.
 *
 * Nothing here changes the process: `dir` is tracked as a path (the caller chdirs to the
 * returned `server.dir`), and relative paths met later (includes, scripts) resolve against it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reprArg, splitArgs } from '../util/split-args.js';
import { globMatch } from '../util/glob.js';
import { isIPv6 } from '../core/addr.js';
import { AclUser, applyRules } from '../acl/user.js';
import { ConfigError, strerror } from '../util/errors.js';
import { LLONG_MAX, ULLONG_MAX, WHOLE_INT, atoi, string2llBig, strtol, strtoull, yesNo } from '../util/parse.js';
import type { MasterConfig, SentinelConfig, SentinelGlobals, ServerOptions, TlsOptions } from './model.js';
import { DEFAULT_SENTINEL_PORT, newMasterConfig } from './model.js';


export interface LoadOptions {
  /** Directory that relative paths start from (default: process.cwd()). */
  cwd?: string;
}

/** One line as it was read, untrimmed: from the config file, an included file or the command line. */
export interface ConfigLine {
  /** Absolute path of the file; command-line options count as lines of the main file. */
  file: string;
  /** 1-based; command-line lines continue the main file's numbering, as in redis. */
  line: number;
  text: string;
}

export interface LoadedConfig {
  config: SentinelConfig;
  /** Every line read, in reading order (an include's lines sit right after its `include` line). */
  lines: ConfigLine[];
}

/** redis sets the sentinel-mode defaults before reading the file: port 26379, protected-mode no. */
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
  };
}

function defaultGlobals(): SentinelGlobals {
  return { currentEpoch: 0, announcePort: 0, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false };
}

/** What redis uses for a daemon that names no pidfile (createPidFile). */
const DEFAULT_DAEMON_PIDFILE = '/var/run/redis.pid';

/** Sub-keywords applied in the first pass (sentinel.c preMonitorCfgName). */
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

/** redis recurses into includes without limit (and so overflows its stack on a cycle); we stop. */
const MAX_INCLUDE_DEPTH = 32;

/** CONFIG_BINDADDR_MAX */
const MAX_BIND_ADDRESSES = 16;


/**
 * Turns the arguments after the config file into config lines exactly as redis-server's main()
 * does: each `--name` starts a line `name`, the following arguments are appended in double
 * quotes (sdscatrepr, so an error shows `port "abc"`). After a bare `--name`, the next argument
 * is its value even if it starts with `--`; `--sentinel` and `--save` directly followed by
 * another option (or last) take no value, and `--save` then gets `""`. An argument holding
 * blanks (`"--port 26380"`) is a whole line by itself. A bare `sentinel` line only selects
 * sentinel mode; it is kept (it still counts for line numbers) and ignored by the loader.
 */
export function cliArgsToLines(args: readonly string[]): string[] {
  let options = '';
  let lastHandled = true;
  for (let j = 0; j < args.length; j++) {
    const a = args[j]!;
    if (lastHandled && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += `${a.slice(2)} `;
      if (splitArgs(a)?.length === 1) {
        lastHandled = false;
        const name = a.toLowerCase();
        const last = j === args.length - 1;
        const nextIsOption = !last && args[j + 1]!.startsWith('--');
        if (name === '--save' && (nextIsOption || last)) {
          options += '""';
          lastHandled = nextIsOption;
        } else if (name === '--sentinel' && nextIsOption) {
          lastHandled = true;
        }
      } else {
        lastHandled = true;
      }
    } else {
      options += `${reprArg(a)} `;
      lastHandled = true;
    }
  }
  return options === '' ? [] : options.split('\n');
}

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

/**
 * inet_aton, which getaddrinfo uses for a numeric IPv4 host: one to four parts in C notation
 * (0x hex, leading-zero octal, decimal), the last part filling the remaining bytes, so
 * "127.1", "0x7f.0.0.1" and "2130706433" are all 127.0.0.1. Returns the dotted quad or null.
 */
function inetAton(s: string): string | null {
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const p of parts) {
    if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(p)) return null;
    const v = /^0[xX]/.test(p) ? parseInt(p.slice(2), 16) : p.length > 1 && p.startsWith('0') ? parseInt(p, 8) : Number(p);
    if (!Number.isSafeInteger(v)) return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - values.length))) return null;
  let n = last;
  values.forEach((v, i) => (n += v * 2 ** (8 * (3 - i))));
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/**
 * IPv6 in the form inet_ntop prints it (what redis stores after resolving a literal). A zone
 * (`%eth0`, `%2`) is accepted if numeric or an existing interface, and dropped, as redis's
 * getaddrinfo + inet_ntop round trip drops it.
 */
function canonicalIPv6(s: string): string | null {
  const pct = s.indexOf('%');
  if (pct >= 0) {
    const zone = s.slice(pct + 1);
    if (!/^[0-9]+$/.test(zone) && !Object.hasOwn(os.networkInterfaces(), zone)) return null;
  }
  let a = pct >= 0 ? s.slice(0, pct) : s;
  let v4: number[] | null = null;
  const lastColon = a.lastIndexOf(':');
  if (a.slice(lastColon + 1).includes('.')) {
    v4 = a.slice(lastColon + 1).split('.').map(Number);
    a = `${a.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', tail] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  if (v4) {
    words[6] = (v4[0]! << 8) | v4[1]!;
    words[7] = (v4[2]! << 8) | v4[3]!;
  }
  // The longest run of two or more zero groups (the first one on a tie) becomes "::".
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // IPv4-compatible and IPv4-mapped addresses end in dotted form.
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      return `${out}${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`;
    }
    out += words[i]!.toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) out += ':';
  return out;
}

/** A numeric host in the form redis stores it, or null for anything else (a host name). */
function canonicalIp(host: string): string | null {
  if (host.includes(':')) return isIPv6(host) ? canonicalIPv6(host) : null;
  return inetAton(host);
}

/** redis trims each config line of these characters (sdstrim " \t\r\n"). */
function trimLine(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/**
 * glob(3) for `include` patterns: wildcards (* ? [..]) in any path component, components match
 * whole names, hidden entries only when the pattern component itself starts with a dot, results
 * sorted. No match is not an error (an empty conf.d is fine).
 */
function globFiles(pattern: string): string[] {
  let found = ['/'];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?[]/.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (globMatch(part, name)) next.push(path.join(dir, name));
      }
    }
    found = next;
  }
  return found.filter((f) => fs.existsSync(f)).sort();
}

interface QueuedLine {
  file: string;
  line: number;
  text: string;
  /** The arguments after `sentinel`. */
  argv: string[];
}

class Loader {
  readonly server: ServerOptions;
  readonly lines: ConfigLine[] = [];
  readonly queue: QueuedLine[] = [];
  dir: string;
  private depth = 0;

  constructor(cwd: string) {
    this.dir = cwd;
    this.server = defaultServerOptions(cwd);
  }

  run(file: string, lines: string[], firstLine = 1): void {
    lines.forEach((raw, i) => {
      this.lines.push({ file, line: firstLine + i, text: raw });
      this.line(file, firstLine + i, raw);
    });
  }

  private line(file: string, n: number, raw: string): void {
    const text = trimLine(raw);
    if (text === '' || text.startsWith('#')) return;
    const bad = (reason: string): ConfigError => new ConfigError('SENTINEL_CONFIG_BAD_LINE', reason, file, n, text);
    const argv = splitArgs(text);
    if (argv === null) throw bad('Unbalanced quotes in configuration line');
    if (argv.length === 0) return;
    const key = argv[0]!.toLowerCase();
    const args = argv.slice(1);
    if (key === 'sentinel') {
      // A bare `sentinel` only selects sentinel mode (redis's main() handles it).
      if (args.length > 0) this.queue.push({ file, line: n, text, argv: args });
      return;
    }
    if (key === 'include' && args.length === 1) {
      this.include(args[0]!, bad);
      return;
    }
    if (key === 'include') throw bad('Bad directive or wrong number of arguments');
    const reason = this.generic(key, args);
    if (reason !== null) throw bad(reason);
  }

  private include(spec: string, bad: (reason: string) => ConfigError): void {
    if (this.depth >= MAX_INCLUDE_DEPTH) throw bad('Too many nested includes (an include cycle?)');
    const wildcard = /[*?[]/.test(spec);
    const files = wildcard ? globFiles(path.resolve(this.dir, spec)) : [path.resolve(this.dir, spec)];
    for (const f of files) {
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch (err) {
        // Like redis: a bare log line naming the file as written, not a framed line error.
        throw new ConfigError('SENTINEL_CONFIG_MISSING', `Fatal error, can't open config file '${wildcard ? f : spec}': ${strerror(err)}`, f);
      }
      this.depth++;
      this.run(f, text.split('\n'));
      this.depth--;
    }
  }

  /** Applies a generic (non-sentinel) directive; returns redis's error reason, or null. */
  private generic(key: string, args: string[]): string | null {
    const s = this.server;
    // The generic rule for single-value options in redis's config table.
    const single = (): string | null => (args.length === 1 ? null : 'wrong number of arguments');
    // Multi-value options given as one quoted argument are split again ("bind 'a b'", --bind "a b").
    const multi = (): string[] => (args.length === 1 && args[0] !== '' ? (splitArgs(args[0]!) ?? []) : args);
    /**
     * redis's rule for numeric options: one argument, an integer (string2ll), within [min, max].
     * Unsigned options wrap a negative value first, so that it fails the range check.
     */
    const integer = (min: bigint, max: bigint, unsigned = false): number | string => {
      const v = single() ?? string2llBig(args[0]!);
      if (typeof v === 'string') return v;
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
      case 'maxclients': {
        const v = integer(1n, 4294967295n, true);
        if (typeof v === 'string') return v;
        s.maxclients = v;
        return null;
      }
      case 'proto-max-bulk-len':
      case 'client-query-buffer-limit': {
        const v = single() ?? memtoull(args[0]!);
        if (typeof v === 'string') return v;
        if (v === null) return 'argument must be a memory value';
        if (v < 1024n * 1024n || v > LLONG_MAX) return `argument must be between ${1024 * 1024} and ${LLONG_MAX} inclusive`;
        if (key === 'proto-max-bulk-len') s.protoMaxBulkLen = Number(v);
        else s.clientQueryBufferLimit = Number(v);
        return null;
      }
      case 'bind': {
        let addrs = multi();
        if (addrs.length > MAX_BIND_ADDRESSES) return 'Too many bind addresses specified.';
        if (addrs.length === 1 && addrs[0] === '') addrs = [];
        s.bind = addrs;
        return null;
      }
      case 'dir': {
        const bad = single();
        if (bad) return bad;
        // chdir("") fails; path.resolve would quietly return the current dir.
        if (args[0] === '') return strerror({ code: 'ENOENT' });
        const d = path.resolve(this.dir, args[0]!);
        try {
          if (!fs.statSync(d).isDirectory()) return strerror({ code: 'ENOTDIR' });
          fs.accessSync(d, fs.constants.X_OK);
        } catch (err) {
          return strerror(err); // redis reports chdir()'s strerror alone
        }
        this.dir = d;
        s.dir = d;
        return null;
      }
      case 'logfile':
        if (single()) return single();
        s.logfile = args[0]!;
        return null;
      case 'pidfile':
        if (single()) return single();
        s.pidfile = args[0]!; // "" means none, as redis's EMPTY_STRING_IS_NULL
        return null;
      case 'requirepass':
        if (single()) return single();
        if (args[0] === '') delete s.requirepass;
        else s.requirepass = args[0]!;
        return null;
      case 'loglevel': {
        if (single()) return single();
        const l = args[0]!.toLowerCase() as ServerOptions['loglevel'];
        if (!LOG_LEVELS.includes(l)) return `argument(s) must be one of the following: ${LOG_LEVELS.join(', ')}`;
        s.loglevel = l;
        return null;
      }
      case 'daemonize':
      case 'protected-mode': {
        if (single()) return single();
        const v = yesNo(args[0]!);
        if (v === null) return "argument must be 'yes' or 'no'";
        if (key === 'daemonize') s.daemonize = v;
        else s.protectedMode = v;
        return null;
      }
      case 'client-output-buffer-limit':
        return this.outputBufferLimits(multi());
      case 'user':
        return this.user(args);
      case 'aclfile':
        if (single()) return single();
        s.aclfile = args[0]!; // relative to the working directory at start-up, as in redis
        return null;
      case 'acllog-max-len': {
        const v = integer(0n, LLONG_MAX, true);
        if (typeof v === 'string') return v;
        s.acllogMaxLen = v;
        return null;
      }
      case 'acl-pubsub-default': {
        if (single()) return single();
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
        s.tls.protocols = args.join(' ');
        return null;
      case 'tls-auth-clients': {
        if (single()) return single();
        const v = args[0]!.toLowerCase();
        if (v !== 'yes' && v !== 'no' && v !== 'optional') return "argument must be 'yes', 'no' or 'optional'";
        s.tls.authClients = v as TlsOptions['authClients'];
        return null;
      }
      case 'tls-replication':
      case 'tls-prefer-server-ciphers':
      case 'tls-session-caching': {
        if (single()) return single();
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
          if (single()) return single();
          s.tls[tlsField] = args[0]!;
          return null;
        }
        // Any other redis directive is accepted without being interpreted; the rewrite leaves
        // its line as it is.
        return null;
      }
    }
  }

  /** `user <name> [rule ...]`: the rules are tried on a scratch user, as redis does at load. */
  private user(args: string[]): string | null {
    if (args.length === 0) return 'Bad directive or wrong number of arguments';
    const name = args[0]!;
    if (this.server.users.some((u) => u[0] === name)) {
      return `Error in user declaration '${name}': Duplicate user found. A user can only be defined once in config files`;
    }
    const failure = applyRules(new AclUser(name), args.slice(1));
    // redis names a token by a miscomputed index here; naming the failing rule is clearer.
    if (failure?.kind === 'unclosed') return `Error in user declaration '${failure.at}': Unmatched parenthesis in acl selector`;
    if (failure) return `Error in user declaration '${failure.rule}': ${failure.error.message}`;
    this.server.users.push([...args]);
    return null;
  }

  /** `client-output-buffer-limit <class> <hard> <soft> <seconds> ...`: all checked, then applied. */
  private outputBufferLimits(args: string[]): string | null {
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
    if (pubsub) [this.server.pubsubOutputHardLimit, this.server.pubsubOutputSoftLimit, this.server.pubsubOutputSoftSeconds] = pubsub;
    return null;
  }
}

/** Loads the configuration; see loadConfigWithLines. */
export function loadConfig(file: string, cliArgs: readonly string[] = [], opts: LoadOptions = {}): SentinelConfig {
  return loadConfigWithLines(file, cliArgs, opts).config;
}

/**
 * Reads `file` (relative to opts.cwd), then `cliArgs` as extra lines, and returns the model with
 * the lines as read. Throws ConfigError: SENTINEL_CONFIG_MISSING when the file (or an included
 * one) cannot be read, SENTINEL_CONFIG_BAD_LINE for an invalid line, and
 * SENTINEL_CONFIG_NOT_WRITABLE when the file loads but cannot be written (checked last, as
 * redis does, so a bad line is reported first).
 */
export function loadConfigWithLines(file: string, cliArgs: readonly string[] = [], opts: LoadOptions = {}): LoadedConfig {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  // Absolute before anything else: `dir` lines change what a relative path would mean.
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    // A directory is refused here; redis would read it as an empty file and then fail every save.
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError('SENTINEL_CONFIG_MISSING', `Fatal error, can't open config file '${abs}': ${strerror(err)}`, abs);
  }

  const loader = new Loader(cwd);
  const fileLines = text.split('\n');
  loader.run(abs, fileLines);
  // redis joins the options to the file with one "\n", so they are numbered from the line after
  // the file's last one (a final newline leaves an empty last line in between).
  loader.run(abs, cliArgsToLines(cliArgs), fileLines.length + 1);

  const server = loader.server;
  // redis gives a daemon without a pidfile the default one (which the rewrite then saves).
  if (server.daemonize && !server.pidfile) server.pidfile = DEFAULT_DAEMON_PIDFILE;
  const cfg: SentinelConfig = { path: abs, server, sentinel: defaultGlobals(), masters: [] };

  const sub = (q: QueuedLine): string => q.argv[0]!.toLowerCase();
  const passes = [
    loader.queue.filter((q) => PASS1.has(sub(q))),
    loader.queue.filter((q) => sub(q) === 'monitor'),
    loader.queue.filter((q) => !PASS1.has(sub(q)) && sub(q) !== 'monitor'),
  ];
  for (const pass of passes) {
    for (const q of pass) {
      const reason = applySentinel(cfg, q.argv, loader.dir);
      if (reason !== null) throw new ConfigError('SENTINEL_CONFIG_BAD_LINE', reason, q.file, q.line, q.text);
    }
  }

  try {
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (err) {
    throw new ConfigError('SENTINEL_CONFIG_NOT_WRITABLE', `Sentinel config file ${abs} is not writable: ${strerror(err)}. Exiting...`, abs);
  }
  return { config: cfg, lines: loader.lines };
}

const UNRECOGNIZED = 'Unrecognized sentinel configuration statement.';

/**
 * Applies one `sentinel` directive (its arguments after `sentinel`), with redis's checks in
 * redis's order (sentinelHandleConfiguration). Returns the error reason, or null.
 */
function applySentinel(cfg: SentinelConfig, a: string[], dir: string): string | null {
  const g = cfg.sentinel;
  const n = a.length;
  const sub = a[0]!.toLowerCase();
  // Every keyword checks its exact argument count; a wrong count falls through to "unrecognized".
  const perMaster = (arity: number, f: (m: MasterConfig) => string | null): string | null => {
    if (n !== arity) return UNRECOGNIZED;
    const m = cfg.masters.find((x) => x.name === a[1]);
    if (!m) return 'No such master with specified name.';
    return f(m);
  };
  const global = (f: (v: string) => string | null): string | null => (n === 2 ? f(a[1]!) : UNRECOGNIZED);
  /** createSentinelAddr: port range first, then the address; returns the host to store or an error. */
  const address = (host: string, portText: string): { host: string; port: number } | string => {
    const port = atoi(portText);
    if (port < 0 || port > 65535) return 'Invalid port number.';
    const ip = canonicalIp(host);
    // Host names need resolve-hostnames; we cannot resolve them synchronously, so any name is
    // taken as given and resolved when connecting.
    if (ip === null && !g.resolveHostnames) return "Can't resolve instance hostname.";
    return { host: ip ?? host, port };
  };
  const executable = (p: string): boolean => {
    if (p === '') return false;
    try {
      fs.accessSync(path.resolve(dir, p), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const yesNoOption = (set: (v: boolean) => void, message: string): string | null =>
    global((v) => {
      const b = yesNo(v);
      if (b === null) return message;
      set(b);
      return null;
    });

  switch (sub) {
    case 'monitor': {
      if (n !== 5) return UNRECOGNIZED;
      const quorum = atoi(a[4]!);
      if (quorum <= 0) return 'Quorum must be 1 or greater.';
      const addr = address(a[2]!, a[3]!);
      if (typeof addr === 'string') return addr;
      if (cfg.masters.some((m) => m.name === a[1])) return 'Duplicate master name.';
      cfg.masters.push(newMasterConfig(a[1]!, addr.host, addr.port, quorum));
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
      // No check at load: 0 and negative values are accepted, as in redis.
      return perMaster(3, (m) => {
        m.parallelSyncs = atoi(a[2]!);
        return null;
      });
    case 'notification-script':
      return perMaster(3, (m) => {
        if (!executable(a[2]!)) return 'Notification script seems non existing or non executable.';
        m.notificationScript = a[2]!;
        return null;
      });
    case 'client-reconfig-script':
      return perMaster(3, (m) => {
        if (!executable(a[2]!)) return 'Client reconfiguration script seems non existing or non executable.';
        m.clientReconfigScript = a[2]!;
        return null;
      });
    // redis would keep an empty password and send AUTH ""; an empty value means "none" here, as
    // SENTINEL SET treats it.
    case 'auth-pass':
      return perMaster(3, (m) => {
        if (a[2] === '') delete m.authPass;
        else m.authPass = a[2]!;
        return null;
      });
    case 'auth-user':
      return perMaster(3, (m) => {
        if (a[2] === '') delete m.authUser;
        else m.authUser = a[2]!;
        return null;
      });
    case 'master-reboot-down-after-period':
    case 'primary-reboot-down-after-period': // Valkey's spelling
      return perMaster(3, (m) => {
        const v = atoi(a[2]!);
        if (v < 0) return 'negative time parameter.';
        m.masterRebootDownAfterPeriodMs = v;
        return null;
      });
    case 'rename-command':
      return perMaster(4, (m) => {
        // redis's table of renamings is case-insensitive; the model keys it in upper case.
        const from = a[2]!.toUpperCase();
        if (m.renamedCommands.some(([f]) => f === from)) return 'Same command renamed multiple times with rename-command.';
        m.renamedCommands.push([from, a[3]!]);
        return null;
      });
    case 'config-epoch':
      return perMaster(3, (m) => {
        m.configEpoch = strtoull(a[2]!);
        if (m.configEpoch > g.currentEpoch) g.currentEpoch = m.configEpoch;
        return null;
      });
    case 'leader-epoch':
      return perMaster(3, (m) => {
        m.leaderEpoch = strtoull(a[2]!);
        return null;
      });
    case 'known-replica':
    case 'known-slave':
      return perMaster(4, (m) => {
        const addr = address(a[2]!, a[3]!);
        if (typeof addr === 'string') return addr;
        // Replicas are keyed by address (redis names them "ip:port").
        if (m.knownReplicas.some((r) => r.host.toLowerCase() === addr.host.toLowerCase() && r.port === addr.port)) {
          return 'Duplicate hostname and port for replica.';
        }
        m.knownReplicas.push(addr);
        return null;
      });
    case 'known-sentinel':
      // The old form without a runid is ignored entirely, even for an unknown master.
      if (n === 4) return null;
      return perMaster(5, (m) => {
        const addr = address(a[2]!, a[3]!);
        if (typeof addr === 'string') return addr;
        const runid = a[4]!;
        if (m.knownSentinels.some((s) => s.runid === runid)) return 'Duplicate runid for sentinel.';
        m.knownSentinels.push({ ...addr, runid });
        return null;
      });
    case 'current-epoch':
      // Only ever raises the epoch (config-epoch lines may already have raised it).
      return global((v) => {
        const e = strtoull(v);
        if (e > g.currentEpoch) g.currentEpoch = e;
        return null;
      });
    case 'myid':
      return global((v) => {
        if (v.length !== 40) return 'Malformed Sentinel id in myid option.';
        g.myid = v;
        return null;
      });
    case 'announce-ip':
      return global((v) => {
        if (v !== '') g.announceIp = v;
        return null;
      });
    case 'announce-port':
      return global((v) => {
        g.announcePort = atoi(v);
        return null;
      });
    case 'sentinel-user':
      return global((v) => {
        if (v !== '') g.sentinelUser = v;
        return null;
      });
    case 'sentinel-pass':
      return global((v) => {
        if (v !== '') g.sentinelPass = v;
        return null;
      });
    case 'deny-scripts-reconfig':
      return yesNoOption((b) => (g.denyScriptsReconfig = b), 'Please specify yes or no for the deny-scripts-reconfig options.');
    case 'resolve-hostnames':
      return yesNoOption((b) => (g.resolveHostnames = b), 'Please specify yes or no for the resolve-hostnames option.');
    case 'announce-hostnames':
      return yesNoOption((b) => (g.announceHostnames = b), 'Please specify yes or no for the announce-hostnames option.');
    default:
      return UNRECOGNIZED;
  }
}
