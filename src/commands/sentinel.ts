/**
 * SENTINEL <subcommand>: reads the core's state into replies and turns admin commands into
 * core operations. The server has already checked the subcommand name and its arity.
 * Every state change is persisted (through `env.flush()`) before the reply is produced.
 */
import type { Reply } from '../protocol/reply.js';
import { OK, array, bulk, bulkMap, error, int, nullArray, nullBulk, simple } from '../protocol/reply.js';
import type { ClientContext } from '../server/hooks.js';
import { SentinelError } from '../util/errors.js';
import type { SentinelCore } from '../core/sentinel.js';
import { instanceFields } from '../core/report.js';
import { DEBUG_PARAMS } from '../core/timing.js';
import type { AnyInstance, MasterInstance } from '../core/instance.js';
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

function instances(env: SentinelCommandEnv, list: Iterable<AnyInstance>): Reply {
  const now = env.now();
  const out: Reply[] = [];
  for (const ri of list) out.push(bulkMap(instanceFields(env.core, ri, now)));
  return array(out);
}

function withMaster(env: SentinelCommandEnv, name: string | undefined, f: (m: MasterInstance) => Reply): Reply {
  const m = env.core.masters.get(name ?? '');
  if (!m) return error('ERR No such master with that name');
  return f(m);
}

export function sentinelCommand(env: SentinelCommandEnv, sub: string, args: readonly string[], _ctx: ClientContext): Reply {
  const core = env.core;
  try {
    switch (sub) {
      case 'masters':
        return instances(env, core.masters.values());
      case 'master':
      case 'primary':
        return withMaster(env, args[0], (m) => bulkMap(instanceFields(core, m, env.now())));
      case 'replicas':
      case 'slaves':
        return withMaster(env, args[0], (m) => instances(env, [...m.slaves.values()].filter((r) => r.replicaAnnounced)));
      case 'sentinels':
        return withMaster(env, args[0], (m) => instances(env, m.sentinels.values()));
      case 'myid':
        return bulk(core.myid);
      case 'get-master-addr-by-name':
      case 'get-primary-addr-by-name': {
        const m = core.masters.get(args[0] ?? '');
        if (!m) return nullArray;
        const a = core.currentMasterAddr(m);
        return array([bulk(core.announceAddr(a)), bulk(String(a.port))]);
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
          core.remove(m.name);
          return flushAndReply(env);
        });
      case 'flushconfig':
        core.requestPersist();
        return flushAndReply(env);
      case 'set':
        return withMaster(env, args[0], (m) => setOptions(env, m, args.slice(1)));
      case 'ckquorum':
        return withMaster(env, args[0], (m) => {
          const q = core.ckquorum(m);
          if (q.quorumOk && q.majorityOk) {
            return simple(`OK ${q.usable} usable Sentinels. Quorum and failover authorization can be reached`);
          }
          const why: string[] = [];
          if (!q.quorumOk) why.push('Not enough available Sentinels to reach the specified quorum for this master');
          if (!q.majorityOk) why.push('Not enough available Sentinels to reach the majority and authorize a failover');
          return error(`NOQUORUM ${q.usable} usable Sentinels. ${why.join('. ')}`);
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
      case 'primaries':
        return instances(env, core.masters.values());
      case 'failover':
        return withMaster(env, args[0], (m) => {
          core.forceFailover(m, env.now());
          env.flush();
          return OK;
        });
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
  const m = env.core.monitor(name, host, port, quorum, env.now());
  const reply = flushAndReply(env);
  // redis replies first, then emits +monitor.
  env.core.announceMonitor(m);
  env.flush();
  return reply;
}

function setOptions(env: SentinelCommandEnv, m: MasterInstance, a: readonly string[]): Reply {
  const core = env.core;
  let changes = 0;
  let failure: Reply | null = null;
  const bad = (value: string, option: string): Reply => error(`ERR Invalid argument '${value}' for SENTINEL SET '${option}'`);
  const positive = (v: string, min: number): number | null => {
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
    switch (opt) {
      case 'down-after-milliseconds': {
        const n = positive(value, 1);
        if (n === null) failure = bad(value, option);
        else core.setDownAfter(m, n);
        break;
      }
      case 'failover-timeout': {
        const n = positive(value, 1);
        if (n === null) failure = bad(value, option);
        else m.failoverTimeout = n;
        break;
      }
      case 'parallel-syncs': {
        const n = positive(value, 1);
        if (n === null) failure = bad(value, option);
        else m.parallelSyncs = n;
        break;
      }
      case 'quorum': {
        const n = positive(value, 1);
        if (n === null) failure = bad(value, option);
        else m.quorum = n;
        break;
      }
      case 'master-reboot-down-after-period':
      case 'primary-reboot-down-after-period': {
        const n = positive(value, 0);
        if (n === null) failure = bad(value, option);
        else m.masterRebootDownAfterPeriod = n;
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
        } else if (opt === 'notification-script') {
          m.notificationScript = value || undefined;
        } else {
          m.clientReconfigScript = value || undefined;
        }
        break;
      }
      case 'auth-pass':
        m.authPass = value || undefined;
        core.dropMasterLinks(m);
        redacted = true;
        break;
      case 'auth-user':
        m.authUser = value || undefined;
        core.dropMasterLinks(m);
        break;
      case 'rename-command': {
        const newName = a[++j] ?? '';
        if (value.length === 0 || newName.length === 0) {
          failure = bad(newName.length ? value : newName, option);
          break;
        }
        m.renamedCommands.delete(value.toUpperCase());
        if (value.toLowerCase() !== newName.toLowerCase()) m.renamedCommands.set(value.toUpperCase(), newName);
        break;
      }
      default:
        failure = error(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`);
    }
    if (failure) break;
    changes++;
    const eventArgs = a.slice(start, j + 1);
    if (redacted) eventArgs[1] = '******';
    core.event('warning', '+set', m, eventArgs.join(' '));
  }
  if (changes) core.requestPersist();
  const saved = env.flush();
  if (failure) return failure;
  return saved ? OK : error(SAVE_FAILED);
}

function infoCache(env: SentinelCommandEnv, names: readonly string[]): Reply {
  const now = env.now();
  const selected: MasterInstance[] = [];
  for (const n of names) {
    const m = env.core.masters.get(n);
    if (m && !selected.includes(m)) selected.push(m);
  }
  const out: Reply[] = [];
  for (const m of selected) {
    out.push(bulk(m.name));
    const entries: Reply[] = [];
    for (const ri of [m, ...m.slaves.values()]) {
      entries.push(array([int(ri.infoRefresh ? now - ri.infoRefresh : 0), ri.info ? bulk(ri.info) : nullBulk]));
    }
    out.push(array(entries));
  }
  return array(out);
}

const CONFIG_PARAMS = ['resolve-hostnames', 'announce-hostnames', 'announce-ip', 'announce-port', 'sentinel-user', 'sentinel-pass', 'loglevel'] as const;
type ConfigParam = (typeof CONFIG_PARAMS)[number];
const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning', 'nothing'];

function configValue(env: SentinelCommandEnv, p: ConfigParam): string {
  const c = env.core;
  switch (p) {
    case 'resolve-hostnames':
      return c.resolveHostnames ? 'yes' : 'no';
    case 'announce-hostnames':
      return c.announceHostnames ? 'yes' : 'no';
    case 'announce-ip':
      return c.announceIp;
    case 'announce-port':
      return String(c.announcePort);
    case 'sentinel-user':
      return c.sentinelUser;
    case 'sentinel-pass':
      return c.sentinelPass;
    case 'loglevel':
      return env.getLogLevel();
  }
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
  let dropPeers = false;
  for (const [p, v] of updates) {
    switch (p) {
      case 'resolve-hostnames':
        c.resolveHostnames = yesNo(v) === true;
        break;
      case 'announce-hostnames':
        c.announceHostnames = yesNo(v) === true;
        break;
      case 'announce-ip':
        // redis 7.x stores "" and announces an empty IP; we treat empty as unset.
        c.announceIp = v;
        break;
      case 'announce-port':
        c.announcePort = Number(v);
        break;
      case 'sentinel-user':
        c.sentinelUser = v;
        dropPeers = true;
        break;
      case 'sentinel-pass':
        c.sentinelPass = v;
        dropPeers = true;
        break;
      case 'loglevel':
        env.setLogLevel(v.toLowerCase());
        break;
    }
  }
  c.requestPersist();
  const reply = flushAndReply(env);
  if (dropPeers) {
    c.dropPeerLinks();
    env.flush();
  }
  return reply;
}

function debug(env: SentinelCommandEnv, args: readonly string[]): Reply {
  const t = env.core.timing;
  if (args.length === 0) {
    return bulkMap(DEBUG_PARAMS.map(([name, key]) => [name.toUpperCase(), String(t[key])] as const));
  }
  for (let i = 0; i < args.length; i += 2) {
    const name = (args[i] ?? '').toLowerCase();
    const entry = DEBUG_PARAMS.find(([n]) => n === name);
    if (!entry || i + 1 >= args.length) {
      return error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${args[i] ?? ''}'`);
    }
    const v = parseInteger(args[i + 1] ?? '');
    if (v === null || v <= 0) return error(`ERR Invalid argument '${args[i + 1] ?? ''}' for SENTINEL DEBUG '${args[i] ?? ''}'`);
    t[entry[1]] = v;
  }
  return OK;
}

function simulateFailure(env: SentinelCommandEnv, args: readonly string[]): Reply {
  let flags = 0;
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === 'crash-after-election') flags |= 1;
    else if (l === 'crash-after-promotion') flags |= 2;
    else if (l === 'help') return array([simple('crash-after-election'), simple('crash-after-promotion')]);
    else return error('ERR Unknown failure simulation specified');
  }
  env.core.simFailureFlags = flags;
  return OK;
}
