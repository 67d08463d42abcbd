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
import { encodeReply } from '../protocol/encode.js';
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
 * What a command run tells the server about repeating its reply: 'no', the reply may differ
 * next time or the command changed something (every entry is void); 'always', the same request
 * gets the same reply (PING); 'kept', the same request gets the same reply while the kept
 * answers' version is unchanged.
 */
export type Repeatable = 'no' | 'always' | 'kept';

/** What the shortcut reads and keeps of a client (server/client.ts's Client). */
export interface RepeatingClient {
  readonly proto: Proto;
  readonly replyMode: 'on' | 'off' | 'skip';
  readonly parser: { lastRequestBytes(): Buffer | null };
  repeat: Repeat | null;
}

/** The server's side of the shortcut: the epoch, and what the command being run said. */
export class Repeats {
  /** Moves on with every command whose reply may not be repeated: it voids every Repeat. */
  private epoch = 0;
  private how: Repeatable = 'no';
  private keptTimed = true;
  private keptVersion = -1;

  /** `version`: SentinelHooks.keptAnswersVersion. */
  constructor(private readonly version: (timed: boolean) => number) {}

  /** A command starts running: unless it says otherwise, its reply may not be repeated. */
  begin(): void {
    this.how = 'no';
  }

  /** The same request gets the same reply (PING). */
  always(): void {
    this.how = 'always';
  }

  /** The reply is a kept answer built under `version` of the `timed` kind (see ClientContext.answerKept). */
  kept(timed: boolean, version: number): void {
    this.how = 'kept';
    this.keptTimed = timed;
    this.keptVersion = version;
  }

  /** Whether `rep` is still the reply `client` would get to the same request. */
  holds(client: RepeatingClient, rep: Repeat): boolean {
    return (
      rep.epoch === this.epoch &&
      rep.proto === client.proto &&
      client.replyMode === 'on' &&
      (rep.version === null || rep.version === this.version(rep.timed))
    );
  }

  /**
   * After a command ran in full: remember it for repeating, or void what it may have changed.
   * Returns the reply to send: the one remembered (encoded once, here) or the one given.
   */
  note(client: RepeatingClient, reply: Reply | null): Reply | null {
    // An error reply counts as 'no': a command that failed half-way may have changed something.
    const how = reply !== null && reply.t === 'error' ? 'no' : this.how;
    if (how === 'no') this.epoch++;
    if (how === 'no' || reply === null || client.replyMode !== 'on') {
      client.repeat = null;
      return reply;
    }
    // A request without whole bytes (split over reads) or too long is not remembered; what was
    // remembered before still holds, since this one changed nothing.
    const raw = client.parser.lastRequestBytes();
    if (raw === null || raw.length > REPEAT_MAX_REQUEST_BYTES) return reply;
    const prev = client.repeat;
    const same = prev !== null && prev.proto === client.proto && prev.raw.equals(raw);
    const rep: Repeat = {
      raw: same ? prev.raw : Buffer.from(raw),
      // A kept answer is already encoded (and shared by every client); PING's is encoded here once.
      reply: reply.t === 'raw' ? reply : same && prev.version === null ? prev.reply : { t: 'raw', v: encodeReply(reply, client.proto) },
      proto: client.proto,
      epoch: this.epoch,
      version: how === 'kept' ? this.keptVersion : null,
      timed: this.keptTimed,
    };
    client.repeat = rep;
    return rep.reply;
  }
}
