/**
 * SENTINEL FAILOVER <name> [TO <ip> <port>] [DRYRUN]: options after the name, in any order, any
 * case. Without options it is redis-sentinel's command, byte for byte. TO promotes that replica
 * and no other (refused, naming the reason, when it may not be promoted); DRYRUN answers what the
 * failover would do now and changes nothing (no epoch, no vote, no config write, no event).
 */
import type { FailoverOptions, FailoverPlan } from '../core/manual.js';
import type { SentinelCore } from '../core/sentinel.js';
import type { Reply } from '../protocol/reply.js';
import { OK, array, bulk, error, int, map, nullBulk } from '../protocol/reply.js';
import { parseInteger } from '../util/parse.js';

export interface FailoverRequest {
  opts: FailoverOptions;
  dryRun: boolean;
}

/** Parses the options after the master name; a string is the error reply. */
export function parseFailoverOptions(args: readonly string[]): FailoverRequest | string {
  const req: FailoverRequest = { opts: {}, dryRun: false };
  for (let i = 0; i < args.length; i++) {
    const word = (args[i] ?? '').toLowerCase();
    if (word === 'dryrun' && !req.dryRun) {
      req.dryRun = true;
    } else if (word === 'coordinated' && !req.opts.coordinated) {
      req.opts.coordinated = true;
    } else if (word === 'to' && !req.opts.target) {
      if (i + 2 >= args.length) return 'ERR TO needs an address and a port';
      const host = args[i + 1] ?? '';
      const port = parseInteger(args[i + 2] ?? '');
      if (port === null || port < 1 || port > 65535) return `ERR Invalid port '${args[i + 2] ?? ''}' for TO`;
      req.opts.target = { host, port };
      i += 2;
    } else {
      return 'ERR Unknown failover option specified';
    }
  }
  return req;
}

const b = (s: string): Reply => bulk(s);
const flag = (v: boolean): Reply => int(v ? 1 : 0);

/** The plan as a map (RESP3) or its flattened form (RESP2), keys in a stable order. */
export function planReply(p: FailoverPlan): Reply {
  return map([
    [b('master'), b(p.master)],
    [b('mode'), b(p.mode)],
    [b('would-start'), flag(p.wouldStart)],
    [b('blocked-by'), p.blocker ? b(p.blocker.message) : nullBulk],
    [b('epoch'), int(p.epoch)],
    [b('tilt'), flag(p.tilt)],
    [
      b('election'),
      map([
        [b('required'), flag(p.election.required)],
        [b('voters'), int(p.election.voters)],
        [b('quorum'), int(p.election.quorum)],
        [b('votes-needed'), int(p.election.votesNeeded)],
        [b('peers-reachable'), int(p.election.peersReachable)],
        [b('quorum-reachable'), flag(p.election.quorumReachable)],
      ]),
    ],
    [
      b('replicas'),
      array(
        p.replicas.map((r) =>
          map([
            [b('name'), b(r.name)],
            [b('ip'), b(r.host)],
            [b('port'), int(r.port)],
            [b('eligible'), flag(r.eligible)],
            [b('excluded-by'), b(r.excludedBy)],
            [b('reason'), b(r.reason)],
            [b('priority'), int(r.priority)],
            [b('offset'), int(r.offset)],
            [b('rank'), int(r.rank)],
          ]),
        ),
      ),
    ],
    [b('selected'), p.selected !== null ? b(p.selected) : nullBulk],
    [b('target'), p.target !== null ? b(p.target) : nullBulk],
  ]);
}

/** Runs SENTINEL FAILOVER for a known master; SentinelErrors propagate to the caller's handler. */
export function failoverCommand(core: SentinelCore, name: string, args: readonly string[], now: number, flush: () => boolean): Reply {
  const req = parseFailoverOptions(args);
  if (typeof req === 'string') return error(req);
  if (req.dryRun) return planReply(core.failoverPlan(name, now, req.opts));
  core.failover(name, now, req.opts);
  flush();
  return OK;
}
