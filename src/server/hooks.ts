import type { Proto, Reply } from '../protocol/reply.js';

/** What a command handler may know about, and do to, the client that sent the command. */
export interface ClientContext {
  readonly id: number;
  readonly proto: Proto;
  /** Authenticated user name ("default" when no auth is configured). */
  readonly user: string;
  /** Close this client's connection after its pending replies are written. */
  closeAfterReply(): void;
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
  /** The body of the `# Sentinel` INFO section: lines without the header, joined by "\r\n". */
  infoSentinelSection(): string;
  /** Names of the monitored masters, for ROLE. */
  masterNames(): string[];
  /** PUBLISH __sentinel__:hello <payload> received from a peer. */
  helloReceived(payload: string): void;
  /** SHUTDOWN: the process should exit after the server stops. */
  shutdown(): void;
}
