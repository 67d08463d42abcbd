/**
 * The connection handshake: PING, AUTH and HELLO (protocol version, credentials, name).
 * Replies and error texts follow redis 7.
 */
import type { Reply } from '../protocol/reply.js';
import { OK, array, bulk, error, int, map, simple } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { string2ll } from '../util/parse.js';
import type { ServerContext } from './context.js';

/** PING [message]; a RESP2 subscriber gets the pub/sub form, as in redis. */
export function ping(c: Client, args: string[]): Reply {
  if (args.length > 1) return error("ERR wrong number of arguments for 'ping' command");
  if (c.proto === 2 && c.isPubsub) return array([bulk('pong'), bulk(args[0] ?? '')]);
  return args.length ? bulk(args[0]!) : simple('PONG');
}

function checkPassword(srv: ServerContext, user: string, pass: string): boolean {
  return srv.acl.get(user)?.checkPassword(pass) ?? false;
}

export function auth(srv: ServerContext, c: Client, args: string[], typed: string): Reply {
  if (args.length > 2) return error('ERR syntax error');
  if (args.length === 1 && srv.acl.get('default')?.nopass) {
    return error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
  }
  const [user, pass] = args.length === 1 ? ['default', args[0]!] : [args[0]!, args[1]!];
  if (!checkPassword(srv, user, pass)) return wrongPass(srv, c, typed, user);
  c.authenticated = true;
  c.user = user;
  return OK;
}

/** A failed AUTH or HELLO AUTH: counted and logged under the name that was tried. */
function wrongPass(srv: ServerContext, c: Client, command: string, user: string): Reply {
  srv.recordAclDenial(c, 'auth', command, user);
  return error('WRONGPASS invalid username-password pair or user is disabled.');
}

/** The characters a client name (HELLO SETNAME, CLIENT SETNAME) may hold. */
export const NAME_OK = /^[!-~]*$/;

export function hello(srv: ServerContext, c: Client, args: string[], typed: string): Reply {
  let proto = c.proto;
  if (args.length > 0) {
    // redis parses the version with string2ll: "03" or "+3" are not integers.
    const n = string2ll(args[0]!);
    if (n === null) return error('ERR Protocol version is not an integer or out of range');
    if (n !== 2 && n !== 3) return error('NOPROTO unsupported protocol version');
    proto = n;
  }
  // As redis 7.2: every option is checked before anything is applied, so a syntax error after
  // AUTH authenticates nobody, and the name is set only once authenticated.
  let setName: string | null = null;
  let credentials: [string, string] | null = null;
  for (let i = 1; i < args.length; i++) {
    const opt = args[i]!.toLowerCase();
    const more = args.length - 1 - i;
    if (opt === 'auth' && more >= 2) {
      credentials = [args[i + 1]!, args[i + 2]!];
      i += 2;
    } else if (opt === 'setname' && more >= 1) {
      setName = args[++i]!;
      if (!NAME_OK.test(setName)) return error('ERR Client names cannot contain spaces, newlines or special characters.');
    } else {
      return error(`ERR Syntax error in HELLO option '${args[i]}'`);
    }
  }
  if (credentials) {
    const [user, pass] = credentials;
    if (!checkPassword(srv, user, pass)) return wrongPass(srv, c, typed, user);
    c.authenticated = true;
    c.user = user;
  }
  if (!c.authenticated) {
    return error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (setName !== null) c.name = setName;
  c.proto = proto;
  return map([
    [bulk('server'), bulk('redis')],
    [bulk('version'), bulk(srv.opts.version)],
    [bulk('proto'), int(proto)],
    [bulk('id'), int(c.id)],
    [bulk('mode'), bulk('sentinel')],
    [bulk('modules'), array([])],
  ]);
}
