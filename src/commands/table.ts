/**
 * What the dispatchers add to the command table: Valkey's spellings of some subcommands, the
 * subcommands COMMAND does not list, and the arity rule. The table itself (COMMANDS and
 * CommandSpec, plain data) lives in src/protocol/command-table.ts so that src/acl can use it
 * without depending on this layer.
 */

/**
 * Valkey spellings, dispatched as their redis names (not listed by COMMAND), by container:
 * looked up with the subcommand as received, without building a `container|sub` string for
 * every request.
 */
export const SUBCOMMAND_ALIASES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    'sentinel',
    new Map([
      ['primaries', 'masters'],
      ['primary', 'master'],
      ['get-primary-addr-by-name', 'get-master-addr-by-name'],
      ['is-primary-down-by-addr', 'is-master-down-by-addr'],
    ]),
  ],
]);

/**
 * Subcommands we serve but do not list: CLIENT SETINFO (a 7.2 addition that clients send
 * and that is useful in CLIENT LIST) stays out of COMMAND's answers so that they match
 * redis-sentinel 7.0 (COMMAND LIST = 72 names), which Redis's own test suite checks.
 */
export const UNLISTED: ReadonlySet<string> = new Set(['client|setinfo']);

/**
 * Subcommands that take more arguments than redis-sentinel 7.0 lists for them: COMMAND keeps
 * showing redis's arity (tools compare it), dispatch allows the extension.
 * SENTINEL FAILOVER <name> [TO <ip> <port>] [DRYRUN]: our options after the name.
 */
const DISPATCH_ARITY: ReadonlyMap<string, number> = new Map([['sentinel|failover', -3]]);

/** The arity a command is dispatched with (the listed one unless extended above). */
export function dispatchArity(name: string, listed: number): number {
  return DISPATCH_ARITY.get(name) ?? listed;
}

export function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}
