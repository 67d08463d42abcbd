/**
 * What the generic commands need from the RESP server, as plain types: the server implements
 * these interfaces and passes itself in, so the commands never import the server itself and
 * the dependency points one way (server -> commands).
 */
import type { ServerOptions } from '../config/model.js';
import type { Client } from '../server/client.js';
import type { SentinelHooks } from '../server/hooks.js';
import type { AclDenialReason, AclLog } from '../acl/log.js';
import type { AclUsers } from '../acl/users.js';

/** The server's counters, as INFO reports them. */
export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  errorReplies: number;
  maxInputBuffer: number;
  readsProcessed: number;
  writesProcessed: number;
  /** ACL denials, as INFO's acl_access_denied_* (redis 7.2). */
  aclDeniedAuth: number;
  aclDeniedCmd: number;
  aclDeniedChannel: number;
}

/** The server's settings and identity that commands read. */
export interface ServerIdentity {
  options: ServerOptions;
  hooks: SentinelHooks;
  /** redis_version reported by INFO and HELLO. */
  version: string;
  runId: string;
  configFile: string;
  executable: string;
}

/** What INFO reads from the server. */
export interface InfoSource {
  readonly opts: ServerIdentity;
  readonly startedAt: number;
  /** The TCP port we listen on. */
  readonly port: number;
  readonly stats: Readonly<ServerStats>;
  clock(): number;
  /** INFO's `listener<N>` lines. */
  listenerInfo(): string[];
  clientCount(): number;
  pubsubChannelCount(): number;
  pubsubPatternCount(): number;
  trackingClientCount(): number;
  trackingPrefixCount(): number;
}

/** What the generic commands need from the server. */
export interface ServerContext extends InfoSource {
  readonly clients: Map<number, Client>;
  readonly acl: AclUsers;
  subscribe(client: Client, channel: string, pattern: boolean): void;
  unsubscribe(client: Client, channel: string, pattern: boolean): boolean;
  killClients(pred: (c: Client) => boolean, caller: Client | null): number;
  readonly aclLog: AclLog;
  recordAclDenial(client: Client, reason: AclDenialReason, object: string, username?: string): void;
  reloadAclFile(current: Client): string | null;
}
