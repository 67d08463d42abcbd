/**
 * The repeat shortcut. Clients ask the same question over and over (a pool checking where the
 * master is, redis-benchmark, a health check's PING): when a request's bytes are exactly those
 * of the client's previous request, and nothing its reply depends on can have changed, the
 * reply it got is sent again without parsing, dispatching or encoding anything.
 *
 * What a reply may depend on, and how each is covered:
 *   - the connection's own state (protocol, user, pub/sub mode, CLIENT REPLY ...): only changed
 *     by a command on this connection, which is not a repeat, and which clears the entry;
 *   - the server's state (ACL rules, CONFIG SET, other clients ...): every command that is not
 *     repeatable, from any client, moves the server's epoch on, which voids every entry;
 *   - the sentinel's state, for kept answers (hooks.keptAnswersVersion): its version moves on
 *     whenever those answers are built again (any core input; for answers showing times, the
 *     next millisecond).
 */
import type { Proto, Reply } from '../protocol/reply.js';

/** A request bigger than this is not remembered (a bound on what each connection holds). */
export const REPEAT_MAX_REQUEST_BYTES = 512;

export interface Repeat {
  /** The request's bytes (a copy). */
  readonly raw: Buffer;
  /** The reply, encoded in `proto`. */
  readonly reply: Reply & { readonly t: 'raw' };
  readonly proto: Proto;
  /** The server's epoch when it was answered. */
  readonly epoch: number;
  /** The kept answers' version it was built from; null when it does not depend on them. */
  readonly version: number | null;
  /** Which version (SentinelHooks.keptAnswersVersion): of the answers that show times or not. */
  readonly timed: boolean;
}

/**
 * What a command run tells the server about repeating its reply (see RespServer.execute):
 * 'no', the reply may differ next time or the command changed something (every entry is void);
 * 'always', the same request gets the same reply (PING); 'kept', the same request gets the
 * same reply while the kept answers' version is unchanged.
 */
export type Repeatable = 'no' | 'always' | 'kept';
