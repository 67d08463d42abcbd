/**
 * ACL and its subcommands: users (SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI), categories,
 * DRYRUN, GENPASS, the ACL LOG, and the ACL file (LOAD, SAVE). The users themselves, their rules
 * and the file format live in src/server/acl.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Reply } from '../protocol/reply.js';
import { OK, array, bulk, error, int, map, nullBulk, simple } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { ACL_CATEGORIES, hasSpaces } from '../acl/selector.js';
import type { AclSelector } from '../acl/selector.js';
import { string2ll } from '../util/parse.js';
import type { ServerContext } from './context.js';
import { double, helpLines } from './replies.js';
import { UNLISTED, arityOk, dispatchArity } from './table.js';
import { COMMANDS } from '../protocol/command-table.js';

export function acl(srv: ServerContext, c: Client, sub: string, a: string[], typed: string): Reply {
  const users = srv.acl;
  const aclfile = srv.opts.options.aclfile ?? '';
  switch (sub) {
    case 'whoami':
      return bulk(c.user);
    case 'users':
      return array(users.list().map((u) => bulk(u.name)));
    case 'list':
      return array(users.list().map((u) => bulk(u.describe())));
    case 'setuser': {
      const name = a[0]!;
      if (hasSpaces(name)) return error("ERR Usernames can't contain spaces or null characters");
      const failure = users.setUser(name, a.slice(1));
      if (failure?.kind === 'unclosed') return error(`ERR Unmatched parenthesis in acl selector starting at '${failure.at}'.`);
      if (failure) return error(`ERR Error in ACL SETUSER modifier '${failure.rule}': ${failure.error.message}`);
      // Subscriptions the new rules no longer allow end with their connection, as in redis.
      const u = users.get(name)!;
      srv.killClients(
        (x) => x.user === name && (x.isPubsub && ([...x.channels].some((ch) => !u.allowsSubscription(ch, false)) || [...x.patterns].some((p) => !u.allowsSubscription(p, true)))),
        c,
      );
      return OK;
    }
    case 'getuser': {
      const u = users.get(a[0]!);
      if (!u) return nullBulk;
      const flags = [u.enabled ? 'on' : 'off', ...(u.nopass ? ['nopass'] : []), ...(u.sanitize ? [u.sanitize] : [])];
      const rules = (x: AclSelector): [Reply, Reply][] => [
        [bulk('commands'), bulk(x.commandsText())],
        [bulk('keys'), bulk(x.allKeys ? '~*' : x.keyPatterns().join(' '))],
        [bulk('channels'), bulk(x.allChannels ? '&*' : x.channels.map((ch) => `&${ch}`).join(' '))],
      ];
      return map([
        [bulk('flags'), array(flags.map((f) => bulk(f)))],
        [bulk('passwords'), array(u.passwords.map((p) => bulk(p)))],
        ...rules(u),
        [bulk('selectors'), array(u.selectors.map((x) => map(rules(x))))],
      ]);
    }
    case 'deluser': {
      if (a.includes('default')) return error("ERR The 'default' user cannot be removed");
      let n = 0;
      for (const name of a) {
        if (users.delete(name)) {
          n++;
          // Connections of a deleted user are closed (the caller's after this reply).
          srv.killClients((x) => x.user === name, c);
        }
      }
      return int(n);
    }
    case 'cat': {
      if (a.length === 0) return array(ACL_CATEGORIES.map((x) => bulk(x)));
      const cat = `@${a[0]!.toLowerCase()}`;
      if (!(ACL_CATEGORIES as readonly string[]).includes(cat.slice(1))) return error(`ERR Unknown category '${a[0]}'`);
      const names: string[] = [];
      for (const spec of COMMANDS.values()) {
        if (spec.categories.includes(cat)) names.push(spec.name);
        for (const s of spec.subcommands.values()) if (s.categories.includes(cat) && !UNLISTED.has(s.name)) names.push(s.name);
      }
      return array(names.map((x) => bulk(x)));
    }
    case 'genpass': {
      if (a.length > 1) return error(`ERR unknown subcommand or wrong number of arguments for '${typed.slice(0, 128)}'. Try ACL HELP.`);
      const bits = a.length ? string2ll(a[0]!) : 256;
      if (bits === null) return error('ERR value is not an integer or out of range');
      if (bits <= 0 || bits > 4096) return error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
      return bulk(randomBytes(Math.ceil(bits / 8)).toString('hex').slice(0, Math.ceil(bits / 4)));
    }
    case 'log': {
      if (a.length > 1) return error(`ERR unknown subcommand or wrong number of arguments for '${typed.slice(0, 128)}'. Try ACL HELP.`);
      if (a.length === 1 && a[0]!.toLowerCase() === 'reset') {
        srv.aclLog.reset();
        return OK;
      }
      const count = a.length === 1 ? string2ll(a[0]!) : 10;
      if (count === null) return error('ERR value is not an integer or out of range');
      const now = srv.clock();
      return array(
        srv.aclLog.list(count).map((e) =>
          map([
            [bulk('count'), int(e.count)],
            [bulk('reason'), bulk(e.reason)],
            [bulk('context'), bulk('toplevel')],
            [bulk('object'), bulk(e.object)],
            [bulk('username'), bulk(e.username)],
            [bulk('age-seconds'), double((now - e.updatedAt) / 1000, c.proto)],
            [bulk('client-info'), bulk(e.clientInfo)],
            [bulk('entry-id'), int(e.entryId)],
            [bulk('timestamp-created'), int(e.createdAt)],
            [bulk('timestamp-last-updated'), int(e.updatedAt)],
          ]),
        ),
      );
    }
    case 'dryrun': {
      const u = users.get(a[0]!);
      if (!u) return error(`ERR User '${a[0]}' not found`);
      // As if the user ran the command: lookup, arity, then the permissions with the channels.
      const cmdArgs = a.slice(1);
      const top = COMMANDS.get(cmdArgs[0]!.toLowerCase());
      const spec = top && top.subcommands.size > 0 && cmdArgs.length >= 2 ? top.subcommands.get(cmdArgs[1]!.toLowerCase()) : top;
      if (!spec) return error(`ERR Command '${a[1]}' not found`);
      if (!arityOk(dispatchArity(spec.name, spec.arity), cmdArgs.length)) return error(`ERR wrong number of arguments for '${spec.name}' command`);
      if (!u.mayRun(spec.name)) return bulk(`This user has no permissions to run the '${spec.name}' command`);
      const channels = spec.name === 'publish' ? cmdArgs.slice(1, 2) : spec.name === 'subscribe' || spec.name === 'psubscribe' ? cmdArgs.slice(1) : [];
      const denied = channels.length ? u.deniedChannel(spec.name, channels, spec.name === 'psubscribe') : null;
      return denied === null ? OK : bulk(`This user has no permissions to access the '${denied}' channel`);
    }
    case 'save':
    case 'load': {
      if (aclfile === '') {
        return error(
          'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.',
        );
      }
      if (a.length > 0) return error(`ERR unknown subcommand or wrong number of arguments for '${typed.slice(0, 128)}'. Try ACL HELP.`);
      if (sub === 'load') {
        const failure = srv.reloadAclFile(c);
        return failure === null ? OK : error(`ERR ${failure}`);
      }
      try {
        users.saveFile(aclfile);
      } catch {
        return error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
      }
      return OK;
    }
    case 'help':
      return array(ACL_HELP.map((l) => simple(l)));
    default:
      return error(`ERR unknown subcommand '${sub}'. Try ACL HELP.`);
  }
}

const ACL_HELP = helpLines('ACL', [
  ['CAT [<category>]', 'List the command categories, or the commands of one category.'],
  ['DELUSER <username> [<username> ...]', 'Delete users and close their connections.'],
  ['DRYRUN <username> <command> [<arg> ...]', 'Tell whether the user may run the command, without running it.'],
  ['GETUSER <username>', 'Show the rules of one user.'],
  ['GENPASS [<bits>]', 'Make a random password of 256 bits, or of the given number of bits.'],
  ['LIST', 'Show every user, in the form of the ACL file.'],
  ['LOAD', 'Read the users again from the ACL file.'],
  ['LOG [<count> | RESET]', 'Show the latest denied attempts, or clear them.'],
  ['SAVE', 'Write the users to the ACL file.'],
  ['SETUSER <username> <attribute> [<attribute> ...]', 'Create a user, or change one.'],
  ['USERS', 'List the user names.'],
  ['WHOAMI', 'Return the user this connection is authenticated as.'],
]);
