/**
 * The command table of a sentinel as plain data: the 15 commands redis-sentinel serves, their
 * arity, flags, ACL categories and subcommands. It imports nothing, so that every layer that
 * needs it can use it: dispatch, arity errors and the COMMAND replies (src/commands,
 * src/server), and the ACL rules (src/acl), which the config loader uses too.
 * Summaries are our own words.
 */

export interface CommandSpec {
  /** Lower-case name; `container|sub` for subcommands. */
  readonly name: string;
  /** Redis arity: n = exactly n arguments (name included), -n = at least n. */
  readonly arity: number;
  readonly flags: readonly string[];
  readonly categories: readonly string[];
  readonly tips: readonly string[];
  readonly summary: string;
  readonly since: string;
  readonly group: string;
  readonly subcommands: ReadonlyMap<string, CommandSpec>;
  /** For COMMAND DOCS of deprecated names: the version that deprecated it and its replacement. */
  readonly deprecatedSince?: string;
  readonly replacedBy?: string;
}

function spec(
  name: string,
  arity: number,
  flags: string,
  categories: string,
  summary: string,
  since: string,
  group: string,
  tips = '',
  subs: CommandSpec[] = [],
): CommandSpec {
  const split = (s: string): string[] => (s ? s.split(' ') : []);
  return {
    name,
    arity,
    flags: split(flags),
    categories: split(categories),
    tips: split(tips),
    summary,
    since,
    group,
    subcommands: new Map(subs.map((s) => [s.name.split('|')[1]!, s])),
  };
}

const SUB_FLAGS = 'admin noscript loading stale';
const ADMIN_CATS = '@admin @slow @dangerous';

const sentinelSub = (sub: string, arity: number, summary: string, since = '2.8.4'): CommandSpec =>
  sub === 'help'
    ? spec('sentinel|help', 2, 'loading stale', '@slow', summary, '6.2.0', 'sentinel')
    : spec(`sentinel|${sub}`, arity, 'admin', ADMIN_CATS, summary, since, 'sentinel');

const clientSub = (sub: string, arity: number, admin: boolean, summary: string, since: string, tips = ''): CommandSpec =>
  sub === 'help'
    ? spec('client|help', 2, 'loading stale', '@slow @connection', summary, since, 'connection')
    : spec(
        `client|${sub}`,
        arity,
        admin ? SUB_FLAGS : 'noscript loading stale',
        admin ? '@admin @slow @dangerous @connection' : '@slow @connection',
        summary,
        since,
        'connection',
        tips,
      );

const aclSub = (sub: string, arity: number, admin: boolean, summary: string, tips = ''): CommandSpec =>
  sub === 'help'
    ? spec('acl|help', 2, 'loading stale', '@slow', summary, '6.0.0', 'server')
    : spec(`acl|${sub}`, arity, admin ? SUB_FLAGS : 'noscript loading stale', admin ? ADMIN_CATS : '@slow', summary, '6.0.0', 'server', tips);

/** 7.2 marks the commands that change per-node state this way (cluster proxies send them to every node). */
const ALL_NODES = 'request_policy:all_nodes response_policy:all_succeeded';

const commandSub = (sub: string, arity: number, summary: string, tips = ''): CommandSpec =>
  spec(`command|${sub}`, arity, 'loading stale', '@slow @connection', summary, '7.0.0', 'server', tips);

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [
    spec('acl', -2, '', '@slow', 'A container for access control list commands.', '6.0.0', 'server', '', [
      aclSub('cat', -2, false, 'Lists the ACL categories, or the commands of a category.'),
      aclSub('deluser', -3, true, 'Deletes ACL users and closes their connections.', ALL_NODES),
      aclSub('dryrun', -4, true, 'Checks whether a user may run a command without running it.'),
      aclSub('genpass', -2, false, 'Generates a random password for ACL users.'),
      aclSub('getuser', 3, true, 'Shows the rules of one ACL user.'),
      aclSub('help', 2, false, 'Shows how to use the ACL subcommands.'),
      aclSub('list', 2, true, 'Lists the ACL rules in the form of the ACL file.'),
      aclSub('load', 2, true, 'Reloads the rules from the configured ACL file.'),
      aclSub('log', -2, true, 'Lists the latest access denials.'),
      aclSub('save', 2, true, 'Saves the current rules to the configured ACL file.', ALL_NODES),
      aclSub('setuser', -3, true, 'Creates or changes an ACL user.', ALL_NODES),
      aclSub('users', 2, true, 'Lists the names of every ACL user.'),
      aclSub('whoami', 2, false, 'Returns the name of the user this connection is authenticated as.'),
    ]),
    spec('auth', -2, 'noscript loading stale fast no_auth allow_busy', '@fast @connection', 'Authenticates the connection.', '1.0.0', 'connection'),
    spec('client', -2, '', '@slow', 'A container for client connection commands.', '2.4.0', 'connection', '', [
      clientSub('caching', 3, false, 'Tells the server whether to track the keys of the next request.', '6.0.0'),
      clientSub('getname', 2, false, 'Returns the name of the connection.', '2.6.9'),
      clientSub('getredir', 2, false, 'Returns the client id tracking notifications are redirected to.', '6.0.0'),
      clientSub('help', 2, false, 'Shows how to use the CLIENT subcommands.', '5.0.0'),
      clientSub('id', 2, false, 'Returns the unique id of the connection.', '5.0.0'),
      clientSub('info', 2, false, 'Returns information about this connection.', '6.2.0', 'nondeterministic_output'),
      clientSub('kill', -3, true, 'Closes the connections that match a filter.', '2.4.0'),
      clientSub('list', -2, true, 'Lists the open client connections.', '2.4.0', 'nondeterministic_output'),
      clientSub('no-evict', 3, true, 'Sets whether the connection may be evicted.', '7.0.0'),
      clientSub('pause', -3, true, 'Suspends command processing for a while.', '3.0.0'),
      clientSub('reply', 3, false, 'Tells the server whether to send replies.', '3.2.0'),
      clientSub('setinfo', 4, false, 'Records the client library name or version.', '7.2.0', ALL_NODES),
      clientSub('setname', 3, false, 'Sets the name of the connection.', '2.6.9', ALL_NODES),
      clientSub('tracking', -3, false, 'Turns client-side caching invalidation messages on or off.', '6.0.0'),
      clientSub('trackinginfo', 2, false, 'Shows the tracking state of the connection.', '6.2.0'),
      clientSub('unblock', -3, true, 'Unblocks a connection waiting in a blocking command.', '5.0.0'),
      clientSub('unpause', 2, true, 'Resumes command processing after CLIENT PAUSE.', '6.2.0'),
    ]),
    spec('command', -1, 'loading stale', '@slow @connection', 'Describes every command the server runs.', '2.8.13', 'server', 'nondeterministic_output_order', [
      commandSub('count', 2, 'Returns the number of commands.'),
      commandSub('docs', -2, 'Returns the documentation of commands.', 'nondeterministic_output_order'),
      commandSub('getkeys', -3, 'Extracts the key names of a command.'),
      commandSub('getkeysandflags', -3, 'Extracts the key names and access flags of a command.'),
      commandSub('help', 2, 'Shows how to use the COMMAND subcommands.'),
      commandSub('info', -2, 'Describes one or more commands.', 'nondeterministic_output_order'),
      commandSub('list', -2, 'Lists the command names.', 'nondeterministic_output_order'),
    ]),
    spec('hello', -1, 'noscript loading stale fast no_auth allow_busy', '@fast @connection', 'Handshakes: protocol version, authentication and name.', '6.0.0', 'connection'),
    spec('info', -1, 'loading stale', '@slow @dangerous', 'Returns information and statistics about the sentinel.', '1.0.0', 'server', 'nondeterministic_output request_policy:all_shards response_policy:special'),
    spec('ping', -1, 'fast', '@fast @connection', 'Checks that the server answers.', '1.0.0', 'connection', 'request_policy:all_shards response_policy:all_succeeded'),
    spec('psubscribe', -2, 'pubsub noscript loading stale', '@pubsub @slow', 'Listens to the channels that match patterns.', '2.0.0', 'pubsub'),
    spec('publish', 3, 'pubsub loading stale fast', '@pubsub @fast', 'Hands a hello message to the sentinel.', '2.0.0', 'pubsub'),
    spec('punsubscribe', -1, 'pubsub noscript loading stale', '@pubsub @slow', 'Stops listening to pattern subscriptions.', '2.0.0', 'pubsub'),
    spec('role', 1, 'noscript loading stale fast', '@admin @fast @dangerous', 'Returns the role of the server and the monitored masters.', '2.8.12', 'server'),
    spec('sentinel', -2, 'admin', ADMIN_CATS, 'A container for the sentinel commands.', '2.8.4', 'sentinel', '', [
      sentinelSub('ckquorum', 3, 'Checks whether the sentinels can reach the quorum and a majority for a master.'),
      sentinelSub('config', -4, 'Gets or sets the sentinel-wide parameters.', '6.2.0'),
      sentinelSub('debug', -2, 'Lists or changes the timing parameters.', '7.0.0'),
      sentinelSub('failover', 3, 'Forces a failover of a master without asking the other sentinels.'),
      sentinelSub('flushconfig', 2, 'Writes the configuration file again.'),
      sentinelSub('get-master-addr-by-name', 3, 'Returns the address of the current master.'),
      sentinelSub('help', 2, 'Shows how to use the SENTINEL subcommands.'),
      sentinelSub('info-cache', -3, 'Returns the cached INFO replies of a master and its replicas.', '3.2.0'),
      sentinelSub('is-master-down-by-addr', 6, 'Tells a peer whether a master is down, and handles its vote request.'),
      sentinelSub('master', 3, 'Shows the state of one master.'),
      sentinelSub('masters', 2, 'Shows the state of every master.'),
      sentinelSub('monitor', 6, 'Starts monitoring a master.'),
      sentinelSub('myid', 2, 'Returns the id of this sentinel.', '6.2.0'),
      sentinelSub('pending-scripts', 2, 'Lists the scripts waiting or running.'),
      sentinelSub('remove', 3, 'Stops monitoring a master.'),
      sentinelSub('replicas', 3, 'Shows the replicas of a master.', '5.0.0'),
      sentinelSub('reset', 3, 'Resets the masters whose names match a pattern.'),
      sentinelSub('sentinels', 3, 'Shows the other sentinels monitoring a master.'),
      sentinelSub('set', -5, 'Changes the configuration of a master.'),
      sentinelSub('simulate-failure', -3, 'Makes the sentinel crash at a chosen point of a failover.', '3.2.0'),
      { ...sentinelSub('slaves', 3, 'Shows the replicas of a master (old name of REPLICAS).', '2.8.0'), deprecatedSince: '5.0.0', replacedBy: '`SENTINEL REPLICAS`' },
    ]),
    spec('shutdown', -1, 'admin noscript loading stale no_multi allow_busy', ADMIN_CATS, 'Stops the sentinel.', '1.0.0', 'server'),
    spec('subscribe', -2, 'pubsub noscript loading stale', '@pubsub @slow', 'Listens to channels (the sentinel events).', '2.0.0', 'pubsub'),
    spec('unsubscribe', -1, 'pubsub noscript loading stale', '@pubsub @slow', 'Stops listening to channels.', '2.0.0', 'pubsub'),
  ].map((c) => [c.name, c]),
);
