/**
 * Pub/sub commands: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, with the channel
 * permissions of the user, and PUBLISH, which a sentinel accepts only for peers' hellos.
 */
import { encodeReply } from '../protocol/encode.js';
import type { Reply } from '../protocol/reply.js';
import { array, bulk, error, int, nullBulk, push } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { ServerContext } from './context.js';

function frames(c: Client, items: Reply[][]): Reply {
  const bufs = items.map((parts) => encodeReply(c.proto === 3 ? push(parts) : array(parts), c.proto));
  return { t: 'raw', v: Buffer.concat(bufs) };
}

/** The NOPERM reply (logged in ACL LOG) when the user may not use one of `channels`, or null. */
function channelDenial(srv: ServerContext, c: Client, command: string, channels: readonly string[], pattern: boolean): Reply | null {
  const user = srv.acl.get(c.user);
  if (!user) return null; // a connection of a deleted user is being closed
  const denied = user.deniedChannel(command, channels, pattern);
  if (denied === null) return null;
  srv.recordAclDenial(c, 'channel', denied);
  return error('NOPERM this user has no permissions to access one of the channels used as arguments');
}

export function subscribeFrames(srv: ServerContext, c: Client, channels: string[], pattern: boolean): Reply {
  const kind = pattern ? 'psubscribe' : 'subscribe';
  // Channel permissions are checked for the whole command before anything is subscribed.
  const denied = channelDenial(srv, c, pattern ? 'psubscribe' : 'subscribe', channels, pattern);
  if (denied) return denied;
  return frames(
    c,
    channels.map((ch) => {
      srv.subscribe(c, ch, pattern);
      return [bulk(kind), bulk(ch), int(c.subscriptionCount)];
    }),
  );
}

export function unsubscribeFrames(srv: ServerContext, c: Client, channels: string[], pattern: boolean): Reply {
  const kind = pattern ? 'punsubscribe' : 'unsubscribe';
  const set = pattern ? c.patterns : c.channels;
  const targets = channels.length ? channels : [...set];
  if (targets.length === 0) return frames(c, [[bulk(kind), nullBulk, int(c.subscriptionCount)]]);
  return frames(
    c,
    targets.map((ch) => {
      srv.unsubscribe(c, ch, pattern);
      return [bulk(kind), bulk(ch), int(c.subscriptionCount)];
    }),
  );
}

/** PUBLISH <channel> <message>: only `__sentinel__:hello`, handed to the sentinel. */
export function publish(srv: ServerContext, c: Client, args: string[]): Reply {
  // Channel permissions come first, as redis checks them before running the command.
  const denied = channelDenial(srv, c, 'publish', [args[0]!], false);
  if (denied) return denied;
  if (args[0] !== '__sentinel__:hello') return error('ERR Only HELLO messages are accepted by Sentinel instances.');
  srv.opts.hooks.helloReceived(args[1] ?? '');
  return int(1);
}
