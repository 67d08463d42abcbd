import type { Proto, Reply } from '../protocol/reply.js';

/** What a command handler may know about, and do to, the client that sent the command. */
export interface ClientContext {
  readonly id: number;
  readonly proto: Proto;
  /** Authenticated user name ("default" when no auth is configured). */
  readonly user: string;
  /** Close this client's connection after its pending replies are written. */
  closeAfterReply(): void;
  /**
   * The reply is a kept answer built under `version`: the same request gets the same reply
   * while SentinelHooks.keptAnswersVersion(timed) returns it (see server/repeat.ts).
   */
  answerKept(timed: boolean, version: number): void;
}

/**
 * The seam between the RESP server (src/server) and the sentinel (src/core + shell).
 * The server owns sockets, parsing, the command table, arity checks, pub/sub and the generic
 * commands; everything sentinel-specific is asked of these hooks. All calls are synchronous so
 * that replies keep request order and state is persisted before a reply is written.
 */
export interface SentinelHooks {
  /**
   * SENTINEL <sub> ...: called after the server has checked that `sub` is a known subcommand
   * and the arity is right. `sub` is lower case; `args` are the arguments after the subcommand.
   */
  sentinelCommand(sub: string, args: readonly string[], ctx: ClientContext): Reply;
  /**
   * A number that changes whenever a kept answer (a read-only SENTINEL query's, INFO's sentinel
   * section) may differ from the one built before: any change of state, and for answers that
   * show times (`timed`) a new millisecond.
   */
  keptAnswersVersion(timed: boolean): number;
  /** The body of the `# Sentinel` INFO section: lines without the header, joined by "\r\n". */
  infoSentinelSection(): string;
  /** Whether that section shows a time now (a kept answer of the `timed` kind, see keptAnswersVersion). */
  infoSentinelTimed(): boolean;
  /** Names of the monitored masters, for ROLE. */
  masterNames(): string[];
  /** PUBLISH __sentinel__:hello <payload> received from a peer. */
  helloReceived(payload: string): void;
  /** SHUTDOWN: the process should exit after the server stops. */
  shutdown(): void;
}
