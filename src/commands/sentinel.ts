/**
 * SENTINEL <subcommand>: reads the core's state into replies and turns admin commands into
 * core operations. The server has already checked the subcommand name and its arity.
 * Every state change is persisted (through `env.flush()`) before the reply is produced.
 */
import type { Reply } from '../protocol/reply.js';
import { OK, array, bulk, bulkMap, error, fieldMaps, int, nullArray, nullBulk, simple } from '../protocol/reply.js';
import type { ClientContext } from '../server/hooks.js';
import { SentinelError } from '../util/errors.js';
import type { SentinelCore } from '../core/sentinel.js';
import type { GlobalParam, MasterOptionChange } from '../core/sentinel.js';
import { SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION } from '../core/sentinel.js';
import { DEBUG_PARAMS } from '../core/timing.js';
import { failoverCommand } from './sentinel-failover.js';
import { globMatch } from '../util/glob.js';
import { parseInteger, yesNo } from '../util/parse.js';

export interface SentinelCommandEnv {
  readonly core: SentinelCore;
  now(): number;
  /** Carries out the core's queued actions; false when a config save among them failed. */
  flush(): boolean;
  /** access(path, X_OK) relative to the working directory. */
  isExecutable(path: string): boolean;
  getLogLevel(): string;
  setLogLevel(level: string): void;
  pendingScripts(): Reply;
}

const SAVE_FAILED = 'ERR Failed to save config file. Check server logs.';

function flushAndReply(env: SentinelCommandEnv, ok: Reply = OK): Reply {
  return env.flush() ? ok : error(SAVE_FAILED);
}

function withMaster(env: SentinelCommandEnv, name: string | undefined, f: (name: string) => Reply): Reply {
  if (!env.core.hasMaster(name ?? '')) return error('ERR No such master with that name');
  return f(name ?? '');
}

export function sentinelCommand(env: SentinelCommandEnv, sub: string, args: readonly string[], _ctx: ClientContext): Reply {
  const core = env.core;
  try {
    switch (sub) {
      case 'masters':
      case 'primaries':
        return fieldMaps(core.mastersFieldMaps(env.now()));
      case 'master':
      case 'primary':
        return withMaster(env, args[0], (m) => bulkMap(core.fields(m, 'master', env.now())[0]!));
      case 'replicas':
      case 'slaves':
        return withMaster(env, args[0], (m) => fieldMaps(core.fieldMaps(m, 'replicas', env.now())));
      case 'sentinels':
        return withMaster(env, args[0], (m) => fieldMaps(core.fieldMaps(m, 'sentinels', env.now())));
      case 'myid':
        return bulk(core.myid);
      case 'get-master-addr-by-name':
      case 'get-primary-addr-by-name': {
        const a = core.masterAddr(args[0] ?? '');
        if (!a) return nullArray;
        return array([bulk(a.host), bulk(String(a.port))]);
      }
      case 'is-master-down-by-addr':
      case 'is-primary-down-by-addr': {
        const port = parseInteger(args[1] ?? '');
        const epoch = parseInteger(args[2] ?? '');
        if (port === null || epoch === null) return error('ERR value is not an integer or out of range');
        const [down, leader, leaderEpoch] = core.isMasterDownByAddr(args[0] ?? '', port, epoch, args[3] ?? '*', env.now());
        const r = array([int(down), bulk(leader), int(leaderEpoch)]);
        // The vote and the epoch must be on disk before the peer learns about them.
        return env.flush() ? r : error(SAVE_FAILED);
      }
      case 'reset': {
        const pattern = args[0] ?? '';
        const n = core.reset((name) => globMatch(pattern, name, false), env.now());
        env.flush();
        return int(n);
      }
      case 'monitor':
        return monitor(env, args);
      case 'remove':
        return withMaster(env, args[0], (m) => {
          core.remove(m);
          return flushAndReply(env);
        });
      case 'flushconfig':
        core.flushConfig();
        return flushAndReply(env);
      case 'set':
        return withMaster(env, args[0], (m) => setOptions(env, m, args.slice(1)));
      case 'ckquorum':
        return withMaster(env, args[0], (m) => {
          const q = ckquorumText(core.ckquorum(m));
          return q.ok ? simple(q.text) : error(q.text);
        });
      case 'info-cache':
        return infoCache(env, args);
      case 'pending-scripts':
        return env.pendingScripts();
      case 'config':
        return config(env, args);
      case 'debug':
        return debug(env, args);
      case 'simulate-failure':
        return simulateFailure(env, args);
      case 'failover':
        return withMaster(env, args[0], (m) => failoverCommand(core, m, args.slice(1), env.now(), () => env.flush()));
      default:
        return error(`ERR unknown subcommand '${sub}'. Try SENTINEL HELP.`);
    }
  } catch (e) {
    if (e instanceof SentinelError) return error(e.message);
    throw e;
  }
}

function monitor(env: SentinelCommandEnv, args: readonly string[]): Reply {
  const [name = '', host = '', portText = '', quorumText = ''] = args;
  const quorum = parseInteger(quorumText);
  if (quorum === null) return error('ERR Invalid quorum');
  const port = parseInteger(portText);
  if (port === null) return error('ERR Invalid port');
  env.core.monitor(name, host, port, quorum, env.now());
  const reply = flushAndReply(env);
  // redis replies first, then emits +monitor.
  env.core.announceMonitor(name);
  env.flush();
  return reply;
}

function setOptions(env: SentinelCommandEnv, name: string, a: readonly string[]): Reply {
  const core = env.core;
  let changes = 0;
  let failure: Reply | null = null;
  const bad = (value: string, option: string): Reply => error(`ERR Invalid argument '${value}' for SENTINEL SET '${option}'`);
  const atLeast = (v: string, min: number): number | null => {
    const n = parseInteger(v);
    return n === null || n < min ? null : n;
  };
  for (let j = 0; j < a.length && !failure; j++) {
    const option = a[j] ?? '';
    const opt = option.toLowerCase();
    const more = a.length - 1 - j;
    const start = j;
    let redacted = false;
    if (more < 1 || (opt === 'rename-command' && more < 2)) {
      failure = error(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`);
      break;
    }
    const value = a[++j] ?? '';
    let change: MasterOptionChange | null = null;
    switch (opt) {
      case 'down-after-milliseconds':
      case 'failover-timeout':
      case 'parallel-syncs':
      case 'quorum':
      case 'master-reboot-down-after-period':
      case 'primary-reboot-down-after-period': {
        const reboot = opt.endsWith('reboot-down-after-period');
        const n = atLeast(value, reboot ? 0 : 1);
        if (n === null) failure = bad(value, option);
        else change = { option: reboot ? 'master-reboot-down-after-period' : (opt as 'quorum'), value: n };
        break;
      }
      case 'notification-script':
      case 'client-reconfig-script': {
        if (core.denyScriptsReconfig) {
          failure = error(
            'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration',
          );
        } else if (value.length > 0 && !env.isExecutable(value)) {
          failure = error(
            opt === 'notification-script'
              ? 'ERR Notification script seems non existing or non executable'
              : 'ERR Client reconfiguration script seems non existing or non executable',
          );
        } else {
          change = { option: opt, value };
        }
        break;
      }
      // sentinel-ts extensions: minority fencing.
      case 'fence-minority': {
        const b = yesNo(value);
        if (b === null) failure = bad(value, option);
        else change = { option: 'fence-minority', value: b };
        break;
      }
      case 'fence-after-milliseconds': {
        const n = atLeast(value, 1);
        if (n === null) failure = bad(value, option);
        else change = { option: 'fence-after-milliseconds', value: n };
        break;
      }
      case 'auth-pass':
        change = { option: 'auth-pass', value };
        redacted = true;
        break;
      case 'auth-user':
        change = { option: 'auth-user', value };
        break;
      case 'rename-command': {
        const newName = a[++j] ?? '';
        if (value.length === 0 || newName.length === 0) {
          failure = bad(newName.length ? value : newName, option);
          break;
        }
        change = { option: 'rename-command', from: value, to: newName };
        break;
      }
      default:
        failure = error(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`);
    }
    if (failure || !change) break;
    changes++;
    const eventArgs = a.slice(start, j + 1);
    if (redacted) eventArgs[1] = '******';
    core.setMasterOption(name, change, eventArgs.join(' '));
  }
  if (changes) core.flushConfig();
  const saved = env.flush();
  if (failure) return failure;
  return saved ? OK : error(SAVE_FAILED);
}

function infoCache(env: SentinelCommandEnv, names: readonly string[]): Reply {
  const now = env.now();
  const out: Reply[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) continue;
    const entries = env.core.infoCache(n, now);
    if (!entries) continue;
    seen.add(n);
    out.push(bulk(n));
    out.push(array(entries.map((e) => array([int(e.age), e.info !== null ? bulk(e.info) : nullBulk]))));
  }
  return array(out);
}

const CONFIG_PARAMS = ['resolve-hostnames', 'announce-hostnames', 'announce-ip', 'announce-port', 'sentinel-user', 'sentinel-pass', 'loglevel'] as const;
type ConfigParam = (typeof CONFIG_PARAMS)[number];
const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning', 'nothing'];

function configValue(env: SentinelCommandEnv, p: ConfigParam): string {
  return p === 'loglevel' ? env.getLogLevel() : env.core.getGlobal(p);
}

function config(env: SentinelCommandEnv, args: readonly string[]): Reply {
  const op = (args[0] ?? '').toLowerCase();
  const shapeError = error(
    'ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...]/ SET <param> <value> [<param> <value> ...] are supported.',
  );
  if (op === 'get') {
    const pairs: [string, string][] = [];
    for (const pattern of args.slice(1)) {
      for (const p of CONFIG_PARAMS) {
        if (globMatch(pattern, p, true) && !pairs.some(([k]) => k === p)) pairs.push([p, configValue(env, p)]);
      }
    }
    return bulkMap(pairs);
  }
  if (op !== 'set' || args.length < 2) return shapeError;
  const seen = new Set<string>();
  const updates: [ConfigParam, string][] = [];
  for (let i = 1; i < args.length; i++) {
    const option = args[i] ?? '';
    const p = CONFIG_PARAMS.find((x) => x === option.toLowerCase());
    if (!p) return error(`ERR Invalid argument '${option}' to SENTINEL CONFIG SET`);
    if (seen.has(p)) return error(`ERR Duplicate argument '${option}' to SENTINEL CONFIG SET`);
    seen.add(p);
    if (i + 1 >= args.length) return error(`ERR Missing argument '${option}' value`);
    const v = args[++i] ?? '';
    const badValue = error(`ERR Invalid value '${v}' to SENTINEL CONFIG SET '${option}'`);
    if ((p === 'resolve-hostnames' || p === 'announce-hostnames') && yesNo(v) === null) return badValue;
    if (p === 'announce-port') {
      const n = parseInteger(v);
      if (n === null || n < 0 || n > 65535) return badValue;
    }
    if (p === 'loglevel' && !LOG_LEVELS.includes(v.toLowerCase())) return badValue;
    updates.push([p, v]);
  }
  const c = env.core;
  let reconnectPeers = false;
  for (const [p, v] of updates) {
    if (p === 'loglevel') {
      env.setLogLevel(v.toLowerCase());
      continue;
    }
    c.setGlobal(p as GlobalParam, v);
    if (p === 'sentinel-user' || p === 'sentinel-pass') reconnectPeers = true;
  }
  c.flushConfig();
  const reply = flushAndReply(env);
  if (reconnectPeers) {
    c.reconnectPeers();
    env.flush();
  }
  return reply;
}

function debug(env: SentinelCommandEnv, args: readonly string[]): Reply {
  if (args.length === 0) {
    return bulkMap(env.core.timingList().map(([name, ms]) => [name.toUpperCase(), String(ms)] as const));
  }
  for (let i = 0; i < args.length; i += 2) {
    const name = (args[i] ?? '').toLowerCase();
    const entry = DEBUG_PARAMS.find(([n]) => n === name);
    if (!entry || i + 1 >= args.length) {
      return error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${args[i] ?? ''}'`);
    }
    const v = parseInteger(args[i + 1] ?? '');
    if (v === null || v <= 0) return error(`ERR Invalid argument '${args[i + 1] ?? ''}' for SENTINEL DEBUG '${args[i] ?? ''}'`);
    env.core.setTiming(entry[1], v);
  }
  return OK;
}

function simulateFailure(env: SentinelCommandEnv, args: readonly string[]): Reply {
  let flags = 0;
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === 'crash-after-election') flags |= SIMFAILURE_CRASH_AFTER_ELECTION;
    else if (l === 'crash-after-promotion') flags |= SIMFAILURE_CRASH_AFTER_PROMOTION;
    else if (l === 'help') return array([simple('crash-after-election'), simple('crash-after-promotion')]);
    else return error('ERR Unknown failure simulation specified');
  }
  env.core.simulateFailure(flags);
  return OK;
}

/** SENTINEL CKQUORUM's reply text (redis's words), also the message label of the metrics. */
export function ckquorumText(q: { usable: number; quorumOk: boolean; majorityOk: boolean }): { ok: boolean; text: string } {
  if (q.quorumOk && q.majorityOk) return { ok: true, text: `OK ${q.usable} usable Sentinels. Quorum and failover authorization can be reached` };
  const why: string[] = [];
  if (!q.quorumOk) why.push('Not enough available Sentinels to reach the specified quorum for this master');
  if (!q.majorityOk) why.push('Not enough available Sentinels to reach the majority and authorize a failover');
  return { ok: false, text: `NOQUORUM ${q.usable} usable Sentinels. ${why.join('. ')}` };
}
