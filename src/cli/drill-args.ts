/**
 * The command line of `sentinel-ts drill`, parsed into plain options. Pure: the environment is
 * passed in (for REDISCLI_AUTH) and nothing is read from disk, so every rule is table-tested.
 *
 * Authentication and TLS options are named as redis-cli names them, since operators already
 * type them there; the sentinels get their own credentials (--sentinel-user/--sentinel-pass,
 * ioredis's sentinelUsername/sentinelPassword), because a sentinel's password is usually not
 * the data servers' one.
 */
import { DrillArgsError } from '../util/errors.js';
import { parseInteger } from '../util/parse.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface Credentials {
  user?: string;
  password?: string;
}

export interface TlsOptions {
  cacert?: string;
  cert?: string;
  key?: string;
  insecure: boolean;
  sni?: string;
}

export interface DrillOptions {
  /** As given, in order: the first is asked to fail over. */
  sentinels: Endpoint[];
  master: string;
  mode: 'coordinated' | 'plain';
  to: Endpoint | null;
  writesPerSecond: number;
  /** WAIT after each write; null: a write is acknowledged by its own reply. */
  wait: { replicas: number; timeoutMs: number } | null;
  beforeMs: number;
  afterMs: number;
  timeoutMs: number;
  json: boolean;
  keepKeys: boolean;
  /** For the data servers (masters and replicas). */
  serverAuth: Credentials;
  sentinelAuth: Credentials;
  /** null: plain TCP. */
  tls: TlsOptions | null;
}

export type ParsedArgs =
  | { kind: 'help' }
  /** `warnings` go to stderr before anything else (redis-cli's warning about -a). */
  | { kind: 'run'; options: DrillOptions; warnings: string[] };

export const USAGE = `Usage: sentinel-ts drill --sentinel <host:port> --master <name> [options]

Runs a real switchover of <name> under a steady write load and reports what the
writing client saw: failed writes, the longest pause between acknowledgements,
how long until every sentinel named the new master, and acknowledged writes lost.

  --sentinel <host:port>    a sentinel (repeatable); the first is asked to fail
                            over; all of them and their peers are followed
  --master <name>           the monitored master's name
  --mode coordinated|plain  coordinated (default): SENTINEL FAILOVER <name>
                            COORDINATED (sentinel-ts); plain: SENTINEL FAILOVER
                            <name> (redis-sentinel's only kind)
  --to <ip:port>            promote this replica (sentinel-ts's TO <ip> <port>)
  --writes-per-second <n>   write rate, default 100
  --wait <numreplicas>      WAIT after each write; acknowledged only when WAIT
                            reached numreplicas
  --wait-timeout <ms>       WAIT's timeout, default 100
  --before <ms>             writes before the failover, default 2000
  --after <ms>              writes after all sentinels agreed, default 2000
  --timeout <ms>            limit for the switchover to be agreed, default 60000
  --keep-keys               leave the drill's keys (they expire after an hour)
  --json                    one JSON object on stdout instead of the summary

Servers (masters and replicas), as redis-cli:
  -a, --pass <password>     password (default: the REDISCLI_AUTH environment variable)
  --user <username>         ACL user
  --no-auth-warning         no warning about a password on the command line
Sentinels:
  --sentinel-user <name>    ACL user for the sentinels
  --sentinel-pass <pass>    password for the sentinels
TLS, for sentinels and servers alike, as redis-cli:
  --tls  --cacert <file>  --cert <file>  --key <file>  --insecure  --sni <name>

Exit status: 0 switched over with no acknowledged write lost; 2 switched over
but acknowledged writes are missing on the new master; 1 could not start, was
refused, or was not agreed within --timeout.
`;

export const USAGE_HINT = "Try 'sentinel-ts drill --help' for more information.";

const AUTH_WARNING = 'Warning: a password given with -a or --pass can be seen by other users of this machine (REDISCLI_AUTH keeps it off the command line; --no-auth-warning silences this).';

/** `host:port`, `[v6]:port` or `v6:port` (the last colon separates the port). */
export function parseEndpoint(text: string, option: string): Endpoint {
  const bracketed = /^\[([^\]]+)\]:([^:]+)$/.exec(text);
  const colon = text.lastIndexOf(':');
  const host = bracketed ? bracketed[1]! : text.slice(0, Math.max(colon, 0));
  const portText = bracketed ? bracketed[2]! : colon >= 0 ? text.slice(colon + 1) : '';
  const port = parseInteger(portText);
  if (host === '' || port === null || port < 1 || port > 65535) throw new DrillArgsError(`${option} wants <host:port>, got '${text}'`);
  return { host, port };
}

function number(text: string, option: string, min: number, max: number): number {
  const n = parseInteger(text);
  if (n === null || n < min || n > max) throw new DrillArgsError(`${option} wants a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** Options that take a value, and the flags; anything else is refused by name. */
const VALUED = new Set([
  '--sentinel', '--master', '--mode', '--to', '--writes-per-second', '--wait', '--wait-timeout', '--before', '--after', '--timeout',
  '-a', '--pass', '--user', '--sentinel-user', '--sentinel-pass', '--cacert', '--cert', '--key', '--sni',
]);
const FLAGS = new Set(['--json', '--keep-keys', '--tls', '--insecure', '--no-auth-warning', '-h', '--help']);

/** Parses argv (after `drill`); throws DrillArgsError with a one-line message. */
export function parseDrillArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (FLAGS.has(arg)) {
      flags.add(arg);
    } else if (VALUED.has(arg)) {
      const v = argv[i + 1];
      if (v === undefined) throw new DrillArgsError(`${arg} needs a value`);
      values.set(arg, [...(values.get(arg) ?? []), v]);
      i++;
    } else {
      throw new DrillArgsError(arg.startsWith('-') ? `unknown option '${arg}'` : `unexpected argument '${arg}'`);
    }
  }
  if (flags.has('-h') || flags.has('--help')) return { kind: 'help' };

  // Every option but --sentinel is single: a repeated one is more likely a mistake than intent.
  for (const [name, vs] of values) if (name !== '--sentinel' && vs.length > 1) throw new DrillArgsError(`${name} given more than once`);
  const one = (name: string): string | undefined => values.get(name)?.[0];

  const sentinels = (values.get('--sentinel') ?? []).map((s) => parseEndpoint(s, '--sentinel'));
  if (sentinels.length === 0) throw new DrillArgsError('--sentinel <host:port> is required');
  const master = one('--master');
  if (master === undefined || master === '') throw new DrillArgsError('--master <name> is required');

  const modeText = one('--mode') ?? 'coordinated';
  if (modeText !== 'coordinated' && modeText !== 'plain') throw new DrillArgsError(`--mode wants coordinated or plain, got '${modeText}'`);
  const toText = one('--to');
  const waitText = one('--wait');
  const waitTimeout = one('--wait-timeout');
  if (waitTimeout !== undefined && waitText === undefined) throw new DrillArgsError('--wait-timeout needs --wait <numreplicas>');

  const aPass = one('-a');
  const longPass = one('--pass');
  if (aPass !== undefined && longPass !== undefined) throw new DrillArgsError('-a and --pass are the same option: give one');
  const cliPass = aPass ?? longPass;
  // redis-cli's order: a password on the command line, else REDISCLI_AUTH.
  const password = cliPass ?? (env['REDISCLI_AUTH'] || undefined);
  const warnings = cliPass !== undefined && !flags.has('--no-auth-warning') ? [AUTH_WARNING] : [];

  const tlsFiles = ['--cacert', '--cert', '--key', '--sni'].filter((o) => values.has(o));
  if (flags.has('--insecure')) tlsFiles.push('--insecure');
  if (!flags.has('--tls') && tlsFiles.length > 0) throw new DrillArgsError(`${tlsFiles[0]} needs --tls`);
  if (values.has('--cert') !== values.has('--key')) throw new DrillArgsError('--cert and --key go together');

  const options: DrillOptions = {
    sentinels,
    master,
    mode: modeText,
    to: toText !== undefined ? parseEndpoint(toText, '--to') : null,
    writesPerSecond: number(one('--writes-per-second') ?? '100', '--writes-per-second', 1, 10000),
    wait: waitText !== undefined ? { replicas: number(waitText, '--wait', 1, 1000), timeoutMs: number(waitTimeout ?? '100', '--wait-timeout', 1, 60000) } : null,
    beforeMs: number(one('--before') ?? '2000', '--before', 0, 3600000),
    afterMs: number(one('--after') ?? '2000', '--after', 0, 3600000),
    timeoutMs: number(one('--timeout') ?? '60000', '--timeout', 1, 3600000),
    json: flags.has('--json'),
    keepKeys: flags.has('--keep-keys'),
    serverAuth: credentials(one('--user'), password),
    sentinelAuth: credentials(one('--sentinel-user'), one('--sentinel-pass')),
    tls: flags.has('--tls') ? tlsOptions(one, flags.has('--insecure')) : null,
  };
  return { kind: 'run', options, warnings };
}

/** Only the fields given: a user without a password sends no AUTH (as redis-cli). */
function credentials(user: string | undefined, password: string | undefined): Credentials {
  return { ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
}

function tlsOptions(one: (name: string) => string | undefined, insecure: boolean): TlsOptions {
  const t: TlsOptions = { insecure };
  const set = (field: 'cacert' | 'cert' | 'key' | 'sni', option: string): void => {
    const v = one(option);
    if (v !== undefined) t[field] = v;
  };
  set('cacert', '--cacert');
  set('cert', '--cert');
  set('key', '--key');
  set('sni', '--sni');
  return t;
}
