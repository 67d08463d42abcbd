/**
 * The commands every client of a sentinel uses besides SENTINEL: connection handshake and
 * naming, pub/sub, INFO, COMMAND, ROLE, SHUTDOWN. Replies and error texts follow redis 7.
 */
import type { ServerOptions } from '../config/model.js';
import { encodeReply } from '../protocol/encode.js';
import type { Proto, Reply } from '../protocol/reply.js';
import { OK, array, bulk, error, int, map, nullBulk, push, simple } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { newTrackingState } from '../server/client.js';
import type { ClientContext, SentinelHooks } from '../server/hooks.js';
import { renderInfo } from '../server/info.js';
import { COMMANDS, UNLISTED, arityOk } from './table.js';
import { ACL_CATEGORIES, hasSpaces } from '../server/acl.js';
import type { AclSelector } from '../server/acl.js';
import type { AclDenialReason, AclLog, AclUsers } from '../server/acl.js';
import { randomBytes } from 'node:crypto';
import type { CommandSpec } from './table.js';
import { globMatch } from '../util/glob.js';
import { string2ll } from '../util/parse.js';

/** What the generic commands need from the server. */
export interface ServerContext {
  readonly opts: { options: ServerOptions; version: string; hooks: SentinelHooks };
  readonly clients: Map<number, Client>;
  clock(): number;
  authRequired(): boolean;
  readonly acl: AclUsers;
  subscribe(client: Client, channel: string, pattern: boolean): void;
  unsubscribe(client: Client, channel: string, pattern: boolean): boolean;
  killClients(pred: (c: Client) => boolean, caller: Client | null): number;
  contextOf(client: Client): ClientContext;
  readonly aclLog: AclLog;
  recordAclDenial(client: Client, reason: AclDenialReason, object: string, username?: string): void;
  reloadAclFile(current: Client): string | null;
}

export function runGenericCommand(srv: ServerContext, c: Client, name: string, sub: string | null, argv: string[]): Reply | null {
  const args = argv.slice(1);
  switch (name) {
    case 'ping':
      if (args.length > 1) return error("ERR wrong number of arguments for 'ping' command");
      if (c.proto === 2 && c.isPubsub) return array([bulk('pong'), bulk(args[0] ?? '')]);
      return args.length ? bulk(args[0]!) : simple('PONG');
    case 'auth':
      return auth(srv, c, args, argv[0]!);
    case 'hello':
      return hello(srv, c, args, argv[0]!);
    case 'client':
      return client(srv, c, sub!, argv.slice(2), argv[1]!);
    case 'command':
      return command(sub, argv.slice(2), c.proto);
    case 'info':
      return bulk(renderInfo(srv as never, args));
    case 'role':
      return array([bulk('sentinel'), array(srv.opts.hooks.masterNames().map((n) => bulk(n)))]);
    case 'subscribe':
    case 'psubscribe':
      return subscribeFrames(srv, c, args, name === 'psubscribe');
    case 'unsubscribe':
    case 'punsubscribe':
      return unsubscribeFrames(srv, c, args, name === 'punsubscribe');
    case 'publish': {
      // Channel permissions come first, as redis checks them before running the command.
      const denied = channelDenial(srv, c, 'publish', [args[0]!], false);
      if (denied) return denied;
      if (args[0] !== '__sentinel__:hello') return error('ERR Only HELLO messages are accepted by Sentinel instances.');
      srv.opts.hooks.helloReceived(args[1] ?? '');
      return int(1);
    }
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

// ---------------------------------------------------------------- auth and handshake

function checkPassword(srv: ServerContext, user: string, pass: string): boolean {
  return srv.acl.get(user)?.checkPassword(pass) ?? false;
}

function auth(srv: ServerContext, c: Client, args: string[], typed: string): Reply {
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

const NAME_OK = /^[!-~]*$/;

function hello(srv: ServerContext, c: Client, args: string[], typed: string): Reply {
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

// ---------------------------------------------------------------- CLIENT

/** `typed`: the subcommand as the client spelled it (redis echoes it in some errors). */
function client(srv: ServerContext, c: Client, sub: string, a: string[], typed: string): Reply | null {
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

// ---------------------------------------------------------------- COMMAND

function allSpecs(): CommandSpec[] {
  return [...COMMANDS.values()];
}

/** A RESP3 set (`~`); the reply model has no set type, so RESP3 gets pre-encoded bytes. */
function setOf(items: Reply[], proto: Proto): Reply {
  if (proto === 2) return array(items);
  return { t: 'raw', v: Buffer.concat([Buffer.from(`~${items.length}\r\n`), ...items.map((x) => encodeReply(x, 3))]) };
}

/** A double: RESP3 `,`, RESP2 a bulk string; the shortest text that reads back the same, as redis 7.2 prints it. */
function double(v: number, proto: Proto): Reply {
  const text = String(v);
  return proto === 2 ? bulk(text) : { t: 'raw', v: Buffer.from(`,${text}\r\n`) };
}

/** A RESP3 verbatim string (`=<len>\r\ntxt:...`), a bulk string in RESP2 (CLIENT INFO/LIST). */
function verbatimText(text: string, proto: Proto): Reply {
  if (proto === 2) return bulk(text);
  const body = Buffer.from(`txt:${text}`, 'utf8');
  return { t: 'raw', v: Buffer.concat([Buffer.from(`=${body.length}\r\n`), body, Buffer.from('\r\n')]) };
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

function command(sub: string | null, a: string[], proto: Proto): Reply {
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

// ---------------------------------------------------------------- pub/sub

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

function subscribeFrames(srv: ServerContext, c: Client, channels: string[], pattern: boolean): Reply {
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

function unsubscribeFrames(srv: ServerContext, c: Client, channels: string[], pattern: boolean): Reply {
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

// ---------------------------------------------------------------- SHUTDOWN, ACL

function shutdown(srv: ServerContext, c: Client, args: string[]): Reply | null {
  const flags = new Set<string>();
  for (const a of args) {
    const l = a.toLowerCase();
    if (!['nosave', 'save', 'now', 'force', 'abort'].includes(l)) return error('ERR syntax error');
    flags.add(l);
  }
  if ((flags.has('abort') && flags.size > 1) || (flags.has('save') && flags.has('nosave'))) return error('ERR syntax error');
  if (flags.has('abort')) return error('ERR No shutdown in progress.');
  // A sentinel has no dataset: SAVE is quietly turned into NOSAVE.
  c.closeAfterReply = true;
  srv.opts.hooks.shutdown();
  return null;
}

function acl(srv: ServerContext, c: Client, sub: string, a: string[], typed: string): Reply {
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
      if (!arityOk(spec.arity, cmdArgs.length)) return error(`ERR wrong number of arguments for '${spec.name}' command`);
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

// ---------------------------------------------------------------- help texts (our own wording)

/**
 * A HELP reply in redis's layout: a synopsis line, then each subcommand's syntax followed by
 * indented lines that explain it, then HELP itself. The explanations are our own words.
 */
function helpLines(container: string, entries: readonly (readonly [string, ...string[]])[]): readonly string[] {
  const lines = [`${container} <subcommand> [<arg> [value] [opt] ...]. The subcommands:`];
  for (const [syntax, ...text] of [...entries, ['HELP', 'Show this list.'] as const]) {
    lines.push(syntax, ...text.map((t) => `    ${t}`));
  }
  return lines;
}

const SENTINEL_HELP = helpLines('SENTINEL', [
  ['CKQUORUM <master-name>', 'Tell whether enough sentinels are reachable to reach the quorum of this master', 'and the majority that authorizes its failover.'],
  ['CONFIG SET <param> <value> [<param> <value> ...]', 'Change sentinel-wide parameters (all are checked before any is changed).'],
  ['CONFIG GET <param> [<param> ...]', 'Read sentinel-wide parameters; glob patterns are allowed.'],
  ['DEBUG [<param> <value> ...]', 'With no argument, list the timing parameters (milliseconds);', 'otherwise change one or more of them.'],
  ['GET-MASTER-ADDR-BY-NAME <master-name>', 'Return the ip and port of the current master of that name.'],
  ['FAILOVER <master-name>', 'Fail the master over now, without asking the other sentinels to agree.'],
  ['FLUSHCONFIG', 'Write the configuration file again, with the current state.'],
  ['INFO-CACHE <master-name> [<master-name> ...]', 'Return the last INFO replies of the masters and of their replicas.'],
  ['IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>', 'Tell whether this sentinel sees the master at ip:port down;', 'with a runid other than *, also ask for its vote.'],
  ['MASTER <master-name>', 'Show the state of one monitored master.'],
  ['MASTERS', 'Show the state of every monitored master.'],
  ['MONITOR <name> <ip> <port> <quorum>', 'Start monitoring a new master.'],
  ['MYID', 'Return the id of this sentinel.'],
  ['PENDING-SCRIPTS', 'List the notification and reconfiguration scripts waiting or running.'],
  ['REMOVE <master-name>', 'Stop monitoring a master and forget its replicas and sentinels.'],
  ['REPLICAS <master-name>', 'Show the replicas of a master and their state.'],
  ['RESET <pattern>', 'Reset every master whose name matches the pattern: forget its replicas,', 'sentinels and failover state, then rediscover them.'],
  ['SENTINELS <master-name>', 'Show the other sentinels that monitor a master and their state.'],
  ['SET <master-name> <option> <value> [<option> <value> ...]', "Change a master's parameters."],
  ['SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]', 'Make this sentinel exit at a chosen point of its next failover (for tests).'],
  ['SLAVES <master-name>', 'Old name of REPLICAS.'],
]);

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

const COMMAND_HELP = helpLines('COMMAND', [
  ['(no subcommand)', 'Describe every command.'],
  ['COUNT', 'Return how many commands this server has.'],
  ['LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]', 'Return the names of the commands, all of them or those matching a filter.'],
  ['INFO [<command-name> ...]', 'Describe the named commands, or every command when none is named.'],
  ['DOCS [<command-name> ...]', 'Return the documentation of the named commands, or of every command', 'when none is named.'],
  ['GETKEYS <full-command>', 'Return the key names a full command line would use.'],
  ['GETKEYSANDFLAGS <full-command>', 'Return the key names a full command line would use, with their access flags.'],
]);

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
