/**
 * The persistent configuration model: what sentinel.conf holds, as plain data.
 * The loader (src/config/load.ts) turns a file into this model; the core is built from it and
 * exports it back; the rewriter (src/config/rewrite.ts) turns it into lines merged into the file.
 */

export interface KnownReplica {
  host: string;
  port: number;
}

export interface KnownSentinel {
  host: string;
  port: number;
  runid: string;
}

export interface MasterConfig {
  name: string;
  host: string;
  port: number;
  quorum: number;
  downAfterMs: number; // default 30000
  failoverTimeoutMs: number; // default 180000
  parallelSyncs: number; // default 1
  notificationScript?: string;
  clientReconfigScript?: string;
  authPass?: string;
  authUser?: string;
  masterRebootDownAfterPeriodMs: number; // default 0
  /** sentinel-ts only: minority fencing (rules in src/core/rules/fence.ts). */
  fenceMinority: boolean; // default false
  /** Unset = the master's down-after-milliseconds. */
  fenceAfterMs?: number;
  /** rename-command mappings, original name (upper case) -> new name, in insertion order. */
  renamedCommands: [string, string][];
  configEpoch: number;
  leaderEpoch: number;
  /** The sentinel this one voted for in leaderEpoch (not persisted by redis; kept in memory). */
  leader?: string;
  knownReplicas: KnownReplica[];
  knownSentinels: KnownSentinel[];
}

export interface SentinelGlobals {
  myid?: string; // 40 hex chars
  currentEpoch: number;
  announceIp?: string; // empty means unset
  announcePort: number; // 0 = unset
  denyScriptsReconfig: boolean; // default true
  resolveHostnames: boolean; // default false
  announceHostnames: boolean; // default false
  sentinelUser?: string;
  sentinelPass?: string;
}

/** The generic (non-"sentinel") directives that the sentinel itself uses. */
export interface ServerOptions {
  port: number; // default 26379
  bind: string[]; // default [] = all interfaces (we bind 0.0.0.0 and ::)
  dir: string; // absolute once loaded
  logfile: string; // "" = stdout
  loglevel: 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
  daemonize: boolean;
  /** supervised: how a service manager learns we are ready (see shell/supervisor.ts). */
  supervised: 'no' | 'upstart' | 'systemd' | 'auto'; // default no
  pidfile: string; // "" = none
  requirepass?: string;
  protectedMode: boolean; // default false in sentinel mode
  maxclients: number; // default 10000
  /**
   * tcp-backlog: the listen queue. null (not set) = DEFAULT_TCP_BACKLOG, larger than redis's 511:
   * a fleet reconnecting at once after a failover overflows 511, and each connection dropped
   * there waits for a SYN-ACK retransmission (1 s, then 3 s).
   */
  tcpBacklog: number | null;
  /** Inline request and multibulk count limits (bytes / elements). */
  protoMaxBulkLen: number; // default 512 MiB
  clientQueryBufferLimit: number; // default 1 GiB
  /** Pub/sub output buffer hard limit in bytes (client-output-buffer-limit pubsub <hard> <soft> <secs>). */
  pubsubOutputHardLimit: number; // default 32 MiB
  pubsubOutputSoftLimit: number; // default 8 MiB
  pubsubOutputSoftSeconds: number; // default 60
  /** TLS settings (tls-* directives); paths as written, relative to `dir`. */
  tls: TlsOptions;
  /** ACL users from `user` lines: [name, ...rules]. Rewritten from the live ACL state. */
  users: string[][];
  /** aclfile: where users are loaded from and saved to (ACL LOAD / SAVE); "" = users live in this file. */
  aclfile: string;
  /** acllog-max-len: ACL LOG entries kept. */
  acllogMaxLen: number; // default 128
  /** acl-pubsub-default: whether new users start with every channel. */
  aclPubsubDefault: 'resetchannels' | 'allchannels'; // default resetchannels
  /** sentinel-ts only: the HTTP side (metrics, health, API). */
  http: HttpOptions;
}

export interface HttpOptions {
  /** http-port: 0 = no HTTP listener (the default). */
  port: number;
  /** http-bind: the addresses to listen on; null = the sentinel's `bind`. */
  bind: string[] | null;
  /** http-tls: serve HTTPS with the sentinel's TLS certificate. */
  tls: boolean;
}

export interface TlsOptions {
  port: number; // tls-port, 0 = no TLS listener
  certFile: string;
  keyFile: string;
  keyFilePass: string;
  clientCertFile: string;
  clientKeyFile: string;
  clientKeyFilePass: string;
  caCertFile: string;
  caCertDir: string;
  authClients: 'yes' | 'no' | 'optional'; // default yes
  /** tls-replication: outgoing links (to servers and peers) use TLS. */
  replication: boolean;
  protocols: string; // e.g. "TLSv1.2 TLSv1.3"; "" = library default
  ciphers: string;
  ciphersuites: string;
  /** tls-prefer-server-ciphers: our cipher order wins over the client's. */
  preferServerCiphers: boolean; // default no
  /** tls-dh-params-file: DH parameters for DHE ciphers; "" = none. */
  dhParamsFile: string;
  /** tls-session-caching / tls-session-cache-timeout (seconds): TLS session resumption. */
  sessionCaching: boolean; // default yes
  sessionCacheTimeout: number; // default 300
}

export interface SentinelConfig {
  /** Absolute path of the config file. */
  path: string;
  server: ServerOptions;
  sentinel: SentinelGlobals;
  /** Masters in file order (the core keeps its own dictionary order). */
  masters: MasterConfig[];
}

export const DEFAULT_DOWN_AFTER_MS = 30000;
export const DEFAULT_FAILOVER_TIMEOUT_MS = 180000;
export const DEFAULT_PARALLEL_SYNCS = 1;
export const DEFAULT_SENTINEL_PORT = 26379;

export function newMasterConfig(name: string, host: string, port: number, quorum: number): MasterConfig {
  return {
    name,
    host,
    port,
    quorum,
    downAfterMs: DEFAULT_DOWN_AFTER_MS,
    failoverTimeoutMs: DEFAULT_FAILOVER_TIMEOUT_MS,
    parallelSyncs: DEFAULT_PARALLEL_SYNCS,
    masterRebootDownAfterPeriodMs: 0,
    fenceMinority: false,
    renamedCommands: [],
    configEpoch: 0,
    leaderEpoch: 0,
    knownReplicas: [],
    knownSentinels: [],
  };
}
