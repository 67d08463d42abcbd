/**
 * The JSON API's bodies, from the core's reads: masters, one master with its replicas and
 * sentinels, is-master for HAProxy-style routing, and the failover request (the same logic as
 * SENTINEL FAILOVER's options: COORDINATED, TO, DRYRUN). Plain functions of the core; the server
 * (server.ts) does the HTTP.
 */
import type { SentinelCore } from '../core/sentinel.js';
import type { Fields } from '../core/snapshot.js';
import type { FailoverOptions } from '../core/manual.js';

/** A field list as an object (SENTINEL MASTER's names; numbers stay strings, as on the wire). */
export function fieldsObject(f: Fields): Record<string, string> {
  return Object.fromEntries(f);
}

export function mastersBody(core: SentinelCore, now: number): unknown {
  return {
    masters: core.mastersFields(now).map((f) => {
      const o = fieldsObject(f);
      const addr = core.masterAddr(o['name'] ?? '');
      return { name: o['name'], address: addr ? `${addr.host}:${addr.port}` : null, flags: (o['flags'] ?? '').split(','), config_epoch: Number(o['config-epoch']), quorum: Number(o['quorum']), replicas: Number(o['num-slaves']), sentinels: Number(o['num-other-sentinels']) + 1 };
    }),
  };
}

export function masterBody(core: SentinelCore, name: string, now: number): unknown | null {
  const snap = core.masterSnapshot(name);
  if (!snap) return null;
  return {
    name,
    address: `${snap.host}:${snap.port}`,
    host: snap.host,
    port: snap.port,
    flags: snap.flags.split(','),
    config_epoch: snap.configEpoch,
    current_epoch: core.currentEpoch,
    failover_state: snap.failoverState,
    master: fieldsObject(core.fields(name, 'master', now)[0] ?? []),
    replicas: core.fields(name, 'all-replicas', now).map(fieldsObject),
    sentinels: core.fields(name, 'sentinels', now).map(fieldsObject),
  };
}

/** What a POST /v1/masters/{name}/failover body asks, or why it is refused (400). */
export function parseFailoverBody(body: unknown): { opts: FailoverOptions; dryRun: boolean } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!['mode', 'to', 'dry_run'].includes(k)) return `unknown field '${k}'`;
  const opts: FailoverOptions = {};
  if (b['mode'] !== undefined) {
    if (b['mode'] !== 'coordinated' && b['mode'] !== 'plain') return "mode must be 'coordinated' or 'plain'";
    if (b['mode'] === 'coordinated') opts.coordinated = true;
  }
  if (b['to'] !== undefined) {
    const target = typeof b['to'] === 'string' ? parseAddr(b['to']) : null;
    if (!target) return "to must be 'ip:port'";
    opts.target = target;
  }
  if (b['dry_run'] !== undefined && typeof b['dry_run'] !== 'boolean') return 'dry_run must be true or false';
  return { opts, dryRun: b['dry_run'] === true };
}

/** "ip:port" (IPv6 in brackets or not) to host and port, or null. */
export function parseAddr(text: string | null): { host: string; port: number } | null {
  if (!text) return null;
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : null;
}
