/**
 * COMMAND and its subcommands: the command table described as redis 7 describes its own
 * (COMMAND INFO, DOCS, LIST with filters, COUNT, GETKEYS).
 */
import type { Proto, Reply } from '../protocol/reply.js';
import { array, bulk, error, int, map, nullBulk, simple } from '../protocol/reply.js';
import { globMatch } from '../util/glob.js';
import { helpLines, setOf } from './replies.js';
import { UNLISTED } from './table.js';
import { COMMANDS } from '../protocol/command-table.js';
import type { CommandSpec } from '../protocol/command-table.js';

function allSpecs(): CommandSpec[] {
  return [...COMMANDS.values()];
}

/** One COMMAND INFO entry; flags, categories, tips and key specs are sets in RESP3, as in redis. */
function infoOf(s: CommandSpec, proto: Proto): Reply {
  const subs = listedSubs(s);
  return array([
    bulk(s.name),
    int(s.arity),
    setOf(s.flags.map((f) => simple(f)), proto),
    int(0),
    int(0),
    int(0),
    setOf(s.categories.map((x) => simple(x)), proto),
    setOf(s.tips.map((x) => bulk(x)), proto),
    setOf([], proto),
    s.subcommands.size > 0 ? array(subs.map((x) => infoOf(x, proto))) : setOf([], proto),
  ]);
}

function docsOf(s: CommandSpec, proto: Proto): Reply {
  const pairs: [Reply, Reply][] = [
    [bulk('summary'), bulk(s.summary)],
    [bulk('since'), bulk(s.since)],
    [bulk('group'), bulk(s.group)],
  ];
  if (s.deprecatedSince) {
    pairs.push([bulk('doc_flags'), setOf([simple('deprecated')], proto)]);
    pairs.push([bulk('deprecated_since'), bulk(s.deprecatedSince)]);
    pairs.push([bulk('replaced_by'), bulk(s.replacedBy ?? '')]);
  }
  if (s.subcommands.size > 0) {
    pairs.push([bulk('subcommands'), map(listedSubs(s).map((x) => [bulk(x.name), docsOf(x, proto)] as [Reply, Reply]))]);
  }
  return map(pairs);
}

function listedSubs(s: CommandSpec): CommandSpec[] {
  return [...s.subcommands.values()].filter((x) => !UNLISTED.has(x.name));
}

/** A command by its full name (`ping`, `sentinel|master`), as COMMAND INFO / DOCS look names up. */
function findSpec(name: string): CommandSpec | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const s = COMMANDS.get(parts[0]!);
  return parts.length === 1 ? s : s?.subcommands.get(parts[1]!);
}

/** The command an argument vector would run (COMMAND GETKEYS): the subcommand of a container when named. */
function findByArgv(argv: readonly string[]): CommandSpec | undefined {
  const s = COMMANDS.get(argv[0]!.toLowerCase());
  if (!s || s.subcommands.size === 0 || argv.length < 2) return s;
  return s.subcommands.get(argv[1]!.toLowerCase());
}

export function command(sub: string | null, a: string[], proto: Proto): Reply {
  if (sub === null) return array(allSpecs().map((s) => infoOf(s, proto)));
  switch (sub) {
    case 'count':
      return int(COMMANDS.size);
    case 'list': {
      let names = allSpecs().flatMap((s) => [s.name, ...listedSubs(s).map((x) => x.name)]);
      if (a.length > 0) {
        if (a.length !== 3 || a[0]!.toLowerCase() !== 'filterby') return error('ERR syntax error');
        const kind = a[1]!.toLowerCase();
        const v = a[2]!;
        if (kind === 'pattern') names = names.filter((n) => globMatch(v, n, true));
        else if (kind === 'aclcat') names = names.filter((n) => findSpec(n)?.categories.includes(`@${v.toLowerCase()}`));
        else if (kind === 'module') names = [];
        else return error('ERR syntax error');
      }
      return array(names.map((n) => bulk(n)));
    }
    case 'info': {
      const specs = a.length ? a.map(findSpec) : allSpecs();
      return array(specs.map((s) => (s ? infoOf(s, proto) : nullBulk)));
    }
    case 'docs': {
      const specs = a.length ? a.map(findSpec).filter((s): s is CommandSpec => s !== undefined) : allSpecs();
      return map(specs.map((s) => [bulk(s.name), docsOf(s, proto)] as [Reply, Reply]));
    }
    case 'getkeys':
    case 'getkeysandflags':
      // None of a sentinel's commands takes keys.
      return findByArgv(a) ? error('ERR The command has no key arguments') : error('ERR Invalid command specified');
    case 'help':
      return array(COMMAND_HELP.map((l) => simple(l)));
    default:
      return error(`ERR unknown subcommand '${sub}'. Try COMMAND HELP.`);
  }
}

const COMMAND_HELP = helpLines('COMMAND', [
  ['(no subcommand)', 'Describe every command.'],
  ['COUNT', 'Return how many commands this server has.'],
  ['LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]', 'Return the names of the commands, all of them or those matching a filter.'],
  ['INFO [<command-name> ...]', 'Describe the named commands, or every command when none is named.'],
  ['DOCS [<command-name> ...]', 'Return the documentation of the named commands, or of every command', 'when none is named.'],
  ['GETKEYS <full-command>', 'Return the key names a full command line would use.'],
  ['GETKEYSANDFLAGS <full-command>', 'Return the key names a full command line would use, with their access flags.'],
]);
