/**
 * CLIENT and its subcommands: naming, listing and killing connections, reply modes, and the
 * tracking settings (kept and reported as redis does; a sentinel has no keys to invalidate).
 */
import type { Reply } from '../protocol/reply.js';
import { OK, array, bulk, error, int, map, nullBulk, simple } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { newTrackingState } from '../server/client.js';
import { string2ll } from '../util/parse.js';
import { NAME_OK } from './connection.js';
import type { ServerContext } from './context.js';
import { helpLines, setOf, verbatimText } from './replies.js';

/** `typed`: the subcommand as the client spelled it (redis echoes it in some errors). */
export function client(srv: ServerContext, c: Client, sub: string, a: string[], typed: string): Reply | null {
  const syntaxError = (): Reply => error(`ERR unknown subcommand or wrong number of arguments for '${typed.slice(0, 128)}'. Try CLIENT HELP.`);
  const now = srv.clock();
  switch (sub) {
    case 'id':
      return int(c.id);
    case 'getname':
      return c.name ? bulk(c.name) : nullBulk;
    case 'setname':
      if (!NAME_OK.test(a[0]!)) return error('ERR Client names cannot contain spaces, newlines or special characters.');
      c.name = a[0]!;
      return OK;
    case 'setinfo': {
      const attr = a[0]!.toLowerCase();
      if (attr !== 'lib-name' && attr !== 'lib-ver') return error(`ERR Unrecognized option '${a[0]}'`);
      if (!NAME_OK.test(a[1]!)) return error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
      if (attr === 'lib-name') c.libName = a[1]!;
      else c.libVer = a[1]!;
      return OK;
    }
    case 'info':
      return verbatimText(c.describe(now) + '\n', c.proto);
    case 'list': {
      let list = [...srv.clients.values()];
      if (a.length === 2 && a[0]!.toLowerCase() === 'type') {
        const t = a[1]!.toLowerCase();
        if (!['normal', 'pubsub', 'master', 'replica', 'slave'].includes(t)) return error(`ERR Unknown client type '${a[1]}'`);
        list = list.filter((x) => (t === 'pubsub' ? x.isPubsub : t === 'normal' ? !x.isPubsub : false));
      } else if (a.length >= 2 && a[0]!.toLowerCase() === 'id') {
        // In the order asked for, each id at most once per mention, as redis does.
        const picked: Client[] = [];
        for (const v of a.slice(1)) {
          const id = string2ll(v);
          if (id === null) return error('ERR Invalid client ID');
          const x = srv.clients.get(id);
          if (x) picked.push(x);
        }
        list = picked;
      } else if (a.length > 0) {
        return error('ERR syntax error');
      }
      return verbatimText(list.map((x) => x.describe(now) + '\n').join(''), c.proto);
    }
    case 'kill':
      return clientKill(srv, c, a);
    case 'reply': {
      const mode = a[0]!.toLowerCase();
      if (mode === 'on') {
        c.replyMode = 'on';
        return OK;
      }
      if (mode === 'off') {
        c.replyMode = 'off';
        return null;
      }
      if (mode === 'skip') {
        // SKIP while OFF changes nothing: replies stay off.
        if (c.replyMode !== 'off') c.replyMode = 'skip';
        return null;
      }
      return error('ERR syntax error');
    }
    case 'pause': {
      // Arguments are checked as redis does; a sentinel serves no data, so nothing is paused.
      if (a.length > 2) return syntaxError();
      if (a.length === 2 && !['write', 'all'].includes(a[1]!.toLowerCase())) return error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      const ms = string2ll(a[0]!);
      if (ms === null) return error('ERR timeout is not an integer or out of range');
      if (ms < 0) return error('ERR timeout is negative');
      return OK;
    }
    case 'unpause':
      return OK;
    case 'no-evict': {
      const v = a[0]!.toLowerCase();
      if (v !== 'on' && v !== 'off') return error('ERR syntax error');
      c.noEvict = v === 'on';
      return OK;
    }
    case 'tracking':
      return clientTracking(srv, c, a);
    case 'caching': {
      const t = c.tracking;
      if (!t.on) return error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
      const v = a[0]!.toLowerCase();
      if (v === 'yes') {
        if (!t.optin) return error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      } else if (v === 'no') {
        if (!t.optout) return error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      } else {
        return error('ERR syntax error');
      }
      t.caching = true;
      return OK;
    }
    case 'getredir':
      // -1: tracking off; otherwise the redirect id (0 = not redirected).
      return int(c.tracking.on ? c.tracking.redirect : -1);
    case 'trackinginfo': {
      const t = c.tracking;
      const flags = [t.on ? 'on' : 'off'];
      if (t.on) {
        if (t.bcast) flags.push('bcast');
        if (t.optin) flags.push('optin', ...(t.caching ? ['caching-yes'] : []));
        if (t.optout) flags.push('optout', ...(t.caching ? ['caching-no'] : []));
        if (t.noloop) flags.push('noloop');
      }
      return map([
        [bulk('flags'), setOf(flags.map((f) => bulk(f)), c.proto)],
        [bulk('redirect'), int(t.on ? t.redirect : -1)],
        [bulk('prefixes'), array(t.prefixes.map((p) => bulk(p)))],
      ]);
    }
    case 'unblock':
      // Nobody ever blocks on a sentinel: a valid request unblocks no one.
      if (a.length > 2) return syntaxError();
      if (a.length === 2 && !['timeout', 'error'].includes(a[1]!.toLowerCase())) return error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      if (string2ll(a[0]!) === null) return error('ERR value is not an integer or out of range');
      return int(0);
    case 'help':
      return array(CLIENT_HELP.map((l) => simple(l)));
    default:
      return error(`ERR unknown subcommand '${sub}'. Try CLIENT HELP.`);
  }
}

/** CLIENT TRACKING on|off [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP], checked as redis does. */
function clientTracking(srv: ServerContext, c: Client, a: string[]): Reply {
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let i = 1; i < a.length; i++) {
    const opt = a[i]!.toLowerCase();
    const more = i + 1 < a.length;
    if (opt === 'redirect' && more) {
      if (redirect !== 0) return error('ERR A client can only redirect to a single other client');
      const id = string2ll(a[++i]!);
      if (id === null) return error('ERR value is not an integer or out of range');
      if (!srv.clients.has(id)) return error('ERR The client ID you want redirect to does not exist');
      redirect = id;
    } else if (opt === 'bcast') bcast = true;
    else if (opt === 'optin') optin = true;
    else if (opt === 'optout') optout = true;
    else if (opt === 'noloop') noloop = true;
    else if (opt === 'prefix' && more) prefixes.push(a[++i]!);
    else return error('ERR syntax error');
  }
  const t = c.tracking;
  const mode = a[0]!.toLowerCase();
  if (mode === 'off') {
    Object.assign(t, newTrackingState());
    return OK;
  }
  if (mode !== 'on') return error('ERR syntax error');
  if (!bcast && prefixes.length > 0) return error('ERR PREFIX option requires BCAST mode to be enabled');
  if (t.on && t.bcast !== bcast) {
    return error('ERR You can\'t switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.');
  }
  if (bcast && (optin || optout)) return error('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (optin && optout) return error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((optin && t.optout) || (optout && t.optin)) {
    return error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
  }
  if (bcast) {
    // Prefixes must not overlap, neither the ones already registered nor each other.
    const overlap = (x: string, y: string): boolean => x.startsWith(y) || y.startsWith(x);
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      const old = t.prefixes.find((q) => overlap(p, q));
      if (old !== undefined) return error(`ERR Prefix '${p}' overlaps with an existing prefix '${old}'. Prefixes for a single client must not overlap.`);
      const other = prefixes.slice(i + 1).find((q) => overlap(p, q));
      if (other !== undefined) return error(`ERR Prefix '${p}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`);
    }
  }
  Object.assign(t, { on: true, redirect, bcast, optin, optout, noloop });
  if (bcast) {
    // With no prefix at all, BCAST covers every key: the empty prefix.
    const add = prefixes.length > 0 ? prefixes : [''];
    t.prefixes = [...new Set([...t.prefixes, ...add])].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  }
  return OK;
}

/** CLIENT KILL addr (old form: may kill the caller) or filter pairs, parsed left to right as redis does. */
function clientKill(srv: ServerContext, caller: Client, a: string[]): Reply {
  if (a.length === 1) {
    const target = [...srv.clients.values()].find((x) => x.addr === a[0]);
    if (!target) return error('ERR No such client');
    srv.killClients((x) => x === target, caller);
    return OK;
  }
  const filters: ((x: Client) => boolean)[] = [];
  let skipMe = true;
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i]!.toLowerCase();
    if (i + 1 >= a.length) return error('ERR syntax error');
    const v = a[i + 1]!;
    if (k === 'id') {
      const id = string2ll(v);
      if (id === null || id < 1) return error('ERR client-id should be greater than 0');
      filters.push((x) => x.id === id);
    } else if (k === 'type') {
      const t = v.toLowerCase();
      if (!['normal', 'pubsub', 'master', 'replica', 'slave'].includes(t)) return error(`ERR Unknown client type '${v}'`);
      filters.push((x) => (t === 'pubsub' ? x.isPubsub : t === 'normal' ? !x.isPubsub : false));
    } else if (k === 'user') {
      if (!srv.acl.get(v)) return error(`ERR No such user '${v}'`);
      filters.push((x) => x.user === v);
    } else if (k === 'addr') {
      filters.push((x) => x.addr === v);
    } else if (k === 'laddr') {
      filters.push((x) => x.laddr === v);
    } else if (k === 'skipme') {
      const l = v.toLowerCase();
      if (l !== 'yes' && l !== 'no') return error('ERR syntax error');
      skipMe = l === 'yes';
    } else if (k === 'maxage') {
      // redis 7.4: connections older than this many seconds.
      const age = string2ll(v);
      if (age === null) return error('ERR maxage is not an integer or out of range');
      if (age <= 0) return error('ERR maxage should be greater than 0');
      const now = srv.clock();
      filters.push((x) => now - x.createdAt >= age * 1000);
    } else {
      return error('ERR syntax error');
    }
  }
  const n = srv.killClients((x) => (!skipMe || x !== caller) && filters.every((f) => f(x)), caller);
  return int(n);
}

const CLIENT_HELP = helpLines('CLIENT', [
  ['CACHING (YES|NO)', 'With tracking in OPTIN or OPTOUT mode: whether the next command is tracked.'],
  ['GETREDIR', 'Return the id tracking notifications are redirected to (-1: tracking off).'],
  ['GETNAME', 'Return the name of this connection.'],
  ['ID', 'Return the id of this connection.'],
  ['INFO', 'Describe this connection, as one line of CLIENT LIST.'],
  ['KILL <ip:port>', 'Close the connection from that address (this one included).'],
  [
    'KILL <filter> <value> [<filter> <value> ...]',
    'Close every connection that matches all the filters:',
    '* ADDR (<ip:port>|<unixsocket>:0)',
    '  connections from this address',
    '* LADDR (<ip:port>|<unixsocket>:0)',
    '  connections to this local address',
    '* ID <client-id>',
    '  the connection with this id',
    '* TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '  connections of this kind',
    '* USER <username>',
    '  connections authenticated as this user',
    '* MAXAGE <seconds>',
    '  connections older than this',
    '* SKIPME (YES|NO)',
    '  whether to spare this connection (default: yes)',
  ],
  ['LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> ...]', 'Describe the open connections, one per line; filtered by type or by id.'],
  ['UNPAUSE', 'End a CLIENT PAUSE.'],
  ['PAUSE <timeout> [WRITE|ALL]', 'Hold clients for <timeout> milliseconds (a sentinel has nothing to pause).'],
  ['REPLY (ON|OFF|SKIP)', 'Turn the replies to this connection on or off, or skip the next one.'],
  ['SETNAME <name>', 'Name this connection.'],
  ['SETINFO (LIB-NAME|LIB-VER) <value>', 'Record the name or version of the client library (shown by CLIENT LIST).'],
  ['UNBLOCK <client-id> [TIMEOUT|ERROR]', 'Release a client blocked in a blocking command (none ever is here).'],
  ['TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]', '         [OPTIN] [OPTOUT] [NOLOOP]', 'Turn client-side caching support on or off.'],
  ['TRACKINGINFO', 'Show the tracking settings of this connection.'],
  ['NO-EVICT (ON|OFF)', 'Exempt this connection from client eviction.'],
]);
