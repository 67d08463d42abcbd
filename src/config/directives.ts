/**
 * Which top-level directives a sentinel's config file may hold, and how many values each takes:
 * every name redis-server 7.0 knows (its config table with the old aliases, plus the directives
 * handled outside it), as redis-sentinel 7.0 checks them before looking at any value. Anything
 * else is refused at start-up ("Bad directive or wrong number of arguments"), so that a typo
 * such as `requirepas` cannot leave the sentinel open.
 *
 * Only the count of values is checked here. The values of the directives the sentinel uses are
 * checked where they are applied (server-directives.ts); the others are accepted as they are.
 */
import { splitArgs } from '../util/split-args.js';

export const BAD_DIRECTIVE = 'Bad directive or wrong number of arguments';
const WRONG_COUNT = 'wrong number of arguments';

/** Splits a blank-separated list of words, each kept as written. */
const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');

/**
 * redis's config table entries that take exactly one value, by the topic they belong to.
 * (The ones the sentinel uses are interpreted by server-directives.ts.)
 */
const SINGLE_VALUE = new Set(
  words(`
    port bind-source-addr tcp-backlog tcp-keepalive timeout unixsocket unixsocketperm socket-mark-id
    protected-mode maxclients proto-max-bulk-len client-query-buffer-limit io-threads
    io-threads-do-reads

    daemonize supervised pidfile loglevel logfile syslog-enabled syslog-ident syslog-facility
    always-show-logo set-proc-title proc-title-template crash-log-enabled crash-memcheck-enabled
    use-exit-on-panic disable-thp jemalloc-bg-thread oom-score-adj ignore-warnings shutdown-timeout
    server_cpulist bio_cpulist aof_rewrite_cpulist bgsave_cpulist enable-protected-configs
    enable-debug-command enable-module-command databases hz dynamic-hz watchdog-period dir

    requirepass aclfile acllog-max-len acl-pubsub-default masteruser masterauth

    dbfilename rdbchecksum rdbcompression rdb-del-sync-files rdb-save-incremental-fsync
    rdb-key-save-delay key-load-delay stop-writes-on-bgsave-error sanitize-dump-payload
    loading-process-events-interval-bytes appendonly appendfilename appenddirname appendfsync
    no-appendfsync-on-rewrite auto-aof-rewrite-percentage auto-aof-rewrite-min-size
    aof-load-truncated aof-use-rdb-preamble aof-timestamp-enabled aof-rewrite-incremental-fsync
    aof-disable-auto-gc

    replica-announce-ip replica-announce-port replica-announced replica-priority replica-read-only
    replica-serve-stale-data replica-lazy-flush replica-ignore-maxmemory
    replica-ignore-disk-write-errors repl-backlog-size repl-backlog-ttl repl-timeout
    repl-ping-replica-period repl-disable-tcp-nodelay repl-diskless-sync repl-diskless-sync-delay
    repl-diskless-sync-max-replicas repl-diskless-load min-replicas-to-write min-replicas-max-lag
    propagation-error-behavior

    maxmemory maxmemory-policy maxmemory-samples maxmemory-eviction-tenacity maxmemory-clients
    lfu-log-factor lfu-decay-time lazyfree-lazy-eviction lazyfree-lazy-expire
    lazyfree-lazy-server-del lazyfree-lazy-user-del lazyfree-lazy-user-flush activerehashing
    activedefrag active-defrag-ignore-bytes active-defrag-threshold-lower
    active-defrag-threshold-upper active-defrag-cycle-min active-defrag-cycle-max
    active-defrag-max-scan-fields active-expire-effort

    hash-max-listpack-entries hash-max-listpack-value list-max-listpack-size list-compress-depth
    set-max-intset-entries zset-max-listpack-entries zset-max-listpack-value hll-sparse-max-bytes
    stream-node-max-bytes stream-node-max-entries

    slowlog-log-slower-than slowlog-max-len latency-monitor-threshold latency-tracking
    notify-keyspace-events tracking-table-max-keys busy-reply-threshold

    cluster-enabled cluster-config-file cluster-node-timeout cluster-port cluster-announce-ip
    cluster-announce-hostname cluster-announce-port cluster-announce-bus-port
    cluster-announce-tls-port cluster-replica-validity-factor cluster-migration-barrier
    cluster-require-full-coverage cluster-replica-no-failover cluster-allow-reads-when-down
    cluster-allow-pubsubshard-when-down cluster-allow-replica-migration
    cluster-preferred-endpoint-type cluster-link-sendbuf-limit

    tls-port tls-cert-file tls-key-file tls-key-file-pass tls-client-cert-file tls-client-key-file
    tls-client-key-file-pass tls-dh-params-file tls-ca-cert-file tls-ca-cert-dir tls-protocols
    tls-ciphers tls-ciphersuites tls-prefer-server-ciphers tls-auth-clients tls-replication
    tls-cluster tls-session-caching tls-session-cache-size tls-session-cache-timeout

    slave-announce-ip slave-announce-port slave-priority slave-read-only slave-serve-stale-data
    slave-lazy-flush slave-ignore-maxmemory repl-ping-slave-period min-slaves-to-write
    min-slaves-max-lag cluster-slave-validity-factor cluster-slave-no-failover lua-time-limit
    hash-max-ziplist-entries hash-max-ziplist-value zset-max-ziplist-entries zset-max-ziplist-value
    list-max-ziplist-size
  `),
);

/**
 * The config table's multi-value entries, with the count rule each applies itself (after a
 * single quoted value is split into words). The others' counts are checked with their values
 * (bind, client-output-buffer-limit: server-directives.ts) or not at all.
 */
const MULTI_VALUE = new Map<string, (values: readonly string[]) => string | null>([
  ['bind', () => null],
  ['client-output-buffer-limit', () => null],
  ['latency-tracking-info-percentiles', () => null],
  ['shutdown-on-sigint', () => null],
  ['shutdown-on-sigterm', () => null],
  // `save ""` (one empty value) means no save points; otherwise they come in pairs.
  ['save', (v) => ((v.length === 1 && v[0] === '' ? 0 : v.length) % 2 === 0 ? null : 'Invalid save parameters')],
  ['replicaof', (v) => (v.length === 2 ? null : WRONG_COUNT)],
  ['slaveof', (v) => (v.length === 2 ? null : WRONG_COUNT)],
  ['oom-score-adj-values', (v) => (v.length === 3 ? null : WRONG_COUNT)],
]);

/** sentinel-ts's own directives (redis-sentinel refuses them): one value, or a list (http-bind). */
const SENTINEL_TS_SINGLE = new Set(['http-port', 'http-tls']);
const SENTINEL_TS_MULTI = new Set(['http-bind']);

/** Names redis no longer uses but still accepts, and ignores, with exactly one value. */
const IGNORED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/**
 * A multi-value directive given as one non-empty quoted value has it split again into words
 * (`bind "a b"`, `--bind "a b"`); an unbalanced value gives no words.
 */
export function multiValues(args: readonly string[]): string[] {
  return args.length === 1 && args[0] !== '' ? (splitArgs(args[0]!) ?? []) : [...args];
}

/**
 * Why redis-sentinel 7.0 refuses the directive `name` (lower case) with `args` before looking
 * at the values, or null when it goes on. In redis's order: the config table, the ignored old
 * names, then the directives handled apart (include, rename-command, user, loadmodule, module
 * options `<module>.<name>`, sentinel).
 */
export function directiveCountError(name: string, args: readonly string[]): string | null {
  if (SINGLE_VALUE.has(name) || SENTINEL_TS_SINGLE.has(name)) return args.length === 1 ? null : WRONG_COUNT;
  if (SENTINEL_TS_MULTI.has(name)) return multiValues(args).length >= 1 ? null : WRONG_COUNT;
  const multi = MULTI_VALUE.get(name);
  if (multi) return multi(multiValues(args));
  if (IGNORED.has(name) && args.length === 1) return null;
  switch (name) {
    case 'include':
      return args.length === 1 ? null : BAD_DIRECTIVE;
    case 'rename-command':
      // redis also refuses a command the sentinel does not have; not checked here (the sentinel
      // does not rename its own commands).
      return args.length === 2 ? null : BAD_DIRECTIVE;
    case 'user':
    case 'loadmodule':
      return args.length >= 1 ? null : BAD_DIRECTIVE;
    case 'sentinel':
      return null;
  }
  // Options of modules (which a sentinel never loads): accepted with any value, and ignored.
  if (name.includes('.')) return args.length >= 1 ? null : 'Module config specified without value';
  return BAD_DIRECTIVE;
}
