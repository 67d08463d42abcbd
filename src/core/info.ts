/**
 * Parsing of the INFO reply of a monitored Redis server: only the fields the sentinel acts on.
 * Pure: text in, facts out; the core decides what the facts mean. Numbers are read with the C
 * function redis uses for each field (atoi, strtoll, strtoull). Strings the core may keep are
 * detached from the reply's text (see util/detach.ts).
 */
import { atoi, strtol, strtoull } from '../util/parse.js';
import { detached } from '../util/detach.js';

export interface ReplicaLine {
  ip: string;
  port: number;
  /** The offset the replica last acknowledged (`offset=`; -1 when the line has none). */
  ackOffset: number;
}

export interface ParsedInfo {
  runId?: string;
  role?: 'master' | 'slave';
  /** `slaveN:` lines of a master (both the old `ip,port,state` and the `ip=..,port=..` forms). */
  replicas: ReplicaLine[];
  /** master_link_down_since_seconds in ms; 0 when the line is absent. */
  masterLinkDownMs: number;
  /** `master_failover_state` (Redis 6.2+ prints it for every role): no-failover, waiting-for-sync, failover-in-progress. */
  failoverState?: string;
  /** `redis_version`. */
  version?: string;
  /** `master_repl_offset`. */
  masterReplOffset?: number;
  // The following are only read when role is slave (as redis does).
  masterHost?: string;
  masterPort?: number;
  masterLinkUp?: boolean;
  slavePriority?: number;
  slaveReplOffset?: number;
  replicaAnnounced?: boolean;
}

export function parseInfo(text: string): ParsedInfo {
  const out: ParsedInfo = { replicas: [], masterLinkDownMs: 0 };
  let role: 'master' | 'slave' | undefined;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('run_id:') && line.length >= 47) {
      out.runId = detached(line.slice(7, 47));
    } else if (/^slave\d/.test(line)) {
      const r = parseReplicaLine(line);
      if (r) out.replicas.push(r);
    } else if (line.startsWith('master_link_down_since_seconds:')) {
      out.masterLinkDownMs = Number(strtol(line.slice(31))) * 1000;
    } else if (line.startsWith('master_failover_state:')) {
      out.failoverState = line.slice(22);
    } else if (line.startsWith('master_repl_offset:')) {
      out.masterReplOffset = strtoull(line.slice(19));
    } else if (line.startsWith('redis_version:')) {
      out.version = line.slice(14);
    } else if (line.startsWith('role:master')) {
      role = 'master';
    } else if (line.startsWith('role:slave')) {
      role = 'slave';
    }
    if (role === 'slave') {
      if (line.startsWith('master_host:')) out.masterHost = detached(line.slice(12));
      else if (line.startsWith('master_port:')) out.masterPort = atoi(line.slice(12));
      else if (line.startsWith('master_link_status:')) out.masterLinkUp = line.slice(19).toLowerCase() === 'up';
      else if (line.startsWith('slave_priority:')) out.slavePriority = atoi(line.slice(15));
      else if (line.startsWith('slave_repl_offset:')) out.slaveReplOffset = strtoull(line.slice(18));
      else if (line.startsWith('replica_announced:')) out.replicaAnnounced = atoi(line.slice(18)) !== 0;
    }
  }
  if (role) out.role = role;
  return out;
}

function parseReplicaLine(line: string): ReplicaLine | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const body = line.slice(colon + 1);
  if (body.includes('ip=')) {
    const fields = new Map<string, string>();
    for (const kv of body.split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) fields.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    const ip = fields.get('ip');
    const port = fields.get('port');
    if (ip === undefined || port === undefined) return undefined;
    const offset = fields.get('offset');
    return { ip: detached(ip), port: atoi(port), ackOffset: offset === undefined ? -1 : strtoull(offset) };
  }
  // Old format: ip,port,state
  const parts = body.split(',');
  if (parts.length < 3) return undefined;
  return { ip: detached(parts[0] ?? ''), port: atoi(parts[1] ?? ''), ackOffset: -1 };
}
