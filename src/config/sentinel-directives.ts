/**
 * The `sentinel ...` directives (sentinel.c sentinelHandleConfiguration): queued while the
 * file is read, then applied in three passes (the globals, the `monitor` lines, everything
 * else) so that their order in the file does not matter; redis's checks, in redis's order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { atoi, strtoull, yesNo } from '../util/parse.js';
import { canonicalIp } from './address.js';
import type { MasterConfig, SentinelConfig, SentinelGlobals } from './model.js';
import { newMasterConfig } from './model.js';

/** The sentinel-wide settings before any `sentinel` line is applied. */
export function defaultGlobals(): SentinelGlobals {
  return { currentEpoch: 0, announcePort: 0, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false };
}

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

/**
 * The queued lines in the order they apply: the first-pass keywords, then `monitor`, then the
 * rest, each group in file order.
 */
export function sentinelPasses<T extends { argv: readonly string[] }>(queue: readonly T[]): T[][] {
  const sub = (q: T): string => q.argv[0]!.toLowerCase();
  return [
    queue.filter((q) => PASS1.has(sub(q))),
    queue.filter((q) => sub(q) === 'monitor'),
    queue.filter((q) => !PASS1.has(sub(q)) && sub(q) !== 'monitor'),
  ];
}

const UNRECOGNIZED = 'Unrecognized sentinel configuration statement.';

/**
 * The masters by name, kept beside the config while it loads (masters are only ever appended
 * there): a scan of the list for every line made loading 5,000 masters quadratic.
 */
const mastersByName = new WeakMap<SentinelConfig, Map<string, MasterConfig>>();

function masterNamed(cfg: SentinelConfig, name: string): MasterConfig | undefined {
  let index = mastersByName.get(cfg);
  if (!index || index.size > cfg.masters.length) {
    index = new Map();
    mastersByName.set(cfg, index);
  }
  for (let i = index.size; i < cfg.masters.length; i++) index.set(cfg.masters[i]!.name, cfg.masters[i]!);
  return index.get(name);
}

/**
 * Applies one `sentinel` directive (its arguments after `sentinel`), with redis's checks in
 * redis's order (sentinelHandleConfiguration). Returns the error reason, or null.
 */
export function applySentinelDirective(cfg: SentinelConfig, a: string[], dir: string): string | null {
  const g = cfg.sentinel;
  const n = a.length;
  const sub = a[0]!.toLowerCase();
  // Every keyword checks its exact argument count; a wrong count falls through to "unrecognized".
  const perMaster = (arity: number, f: (m: MasterConfig) => string | null): string | null => {
    if (n !== arity) return UNRECOGNIZED;
    const m = masterNamed(cfg, a[1]!);
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
      if (masterNamed(cfg, a[1]!)) return 'Duplicate master name.';
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
    // sentinel-ts extensions (redis-sentinel refuses these lines).
    case 'fence-minority':
      return perMaster(3, (m) => {
        const b = yesNo(a[2]!);
        if (b === null) return 'fence-minority must be yes or no.';
        m.fenceMinority = b;
        return null;
      });
    case 'fence-after-milliseconds':
      return perMaster(3, (m) => {
        const v = atoi(a[2]!);
        if (v <= 0) return 'negative or zero time parameter.';
        m.fenceAfterMs = v;
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
