/**
 * The commands every client of a sentinel uses besides SENTINEL, sent to their family: the
 * connection handshake (connection.ts), CLIENT (client.ts), ACL (acl.ts), COMMAND (command.ts),
 * pub/sub (pubsub.ts), INFO (info.ts), SHUTDOWN (shutdown.ts); ROLE and SENTINEL HELP are
 * answered here. Replies and error texts follow redis 7.
 */
import type { Reply } from '../protocol/reply.js';
import { array, bulk, error, simple } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { acl } from './acl.js';
import { client } from './client.js';
import { command } from './command.js';
import { auth, hello, ping } from './connection.js';
import type { ServerContext } from './context.js';
import { renderInfo } from './info.js';
import { publish, subscribeFrames, unsubscribeFrames } from './pubsub.js';
import { SENTINEL_HELP } from './sentinel-help.js';
import { shutdown } from './shutdown.js';

export function runGenericCommand(srv: ServerContext, c: Client, name: string, sub: string | null, argv: string[]): Reply | null {
  const args = argv.slice(1);
  switch (name) {
    case 'ping':
      return ping(c, args);
    case 'auth':
      return auth(srv, c, args, argv[0]!);
    case 'hello':
      return hello(srv, c, args, argv[0]!);
    case 'client':
      return client(srv, c, sub!, argv.slice(2), argv[1]!);
    case 'command':
      return command(sub, argv.slice(2), c.proto);
    case 'info':
      return bulk(renderInfo(srv, args));
    case 'role':
      return array([bulk('sentinel'), array(srv.opts.hooks.masterNames().map((n) => bulk(n)))]);
    case 'subscribe':
    case 'psubscribe':
      return subscribeFrames(srv, c, args, name === 'psubscribe');
    case 'unsubscribe':
    case 'punsubscribe':
      return unsubscribeFrames(srv, c, args, name === 'punsubscribe');
    case 'publish':
      return publish(srv, c, args);
    case 'shutdown':
      return shutdown(srv, c, args);
    case 'acl':
      return acl(srv, c, sub!, argv.slice(2), argv[1]!);
    case 'sentinel':
      return array(SENTINEL_HELP.map((l) => simple(l)));
    default:
      return error(`ERR unknown command '${argv[0]}'`);
  }
}
