/**
 * A model Redis server for the scale benchmark: ONE Node process listening on many loopback
 * ports, each port its own server (a master, or a replica of another port of the same process),
 * speaking as much RESP2 as a sentinel uses:
 *   PING; INFO [section] (server, clients, replication, or everything/all/default) with
 *   redis_version 7.0.15, run_id, tcp_port, uptime, role, connected_slaves, slaveN lines
 *   (ip=,port=,state=online,offset=,lag=0), master_repl_offset, and for a replica master_host,
 *   master_port, master_link_status, master_link_down_since_seconds (while the link is down),
 *   slave_repl_offset, slave_priority, replica_announced; ROLE; CLIENT SETNAME / GETNAME / ID /
 *   LIST / KILL (TYPE normal|pubsub, ID, ADDR, SKIPME, old ip:port form) / PAUSE / UNPAUSE;
 *   SUBSCRIBE / UNSUBSCRIBE / PUBLISH (a message published on a port reaches that port's
 *   subscribers: how sentinels find each other through `__sentinel__:hello`); CONFIG SET / GET /
 *   REWRITE; SLAVEOF / REPLICAOF host port | NO ONE (role, INFO and ROLE follow; a replica of a
 *   port of this process is listed by that master while both are up); MULTI / EXEC / DISCARD;
 *   SCRIPT KILL (-NOTBUSY); SHUTDOWN (ignored: +OK); COMMAND (empty); AUTH (+OK); HELLO
 *   (-NOPROTO: sentinels talk RESP2 to servers); SELECT, ECHO, QUIT; anything else
 *   "-ERR unknown command".
 * There is no data: it models what a sentinel sees, not a database.
 *
 * Control (on --control <port>, RESP or inline):
 *   DEBUG-MODEL KILL <port>     close that port's listener and connections; its replicas see the
 *                               link go down (master_link_status:down)
 *   DEBUG-MODEL REVIVE <port>   listen again, as a master with a new run_id
 *   DEBUG-MODEL STATS           a JSON bulk string: commands served by name, unknown commands,
 *                               open connections, ports up
 * When every port listens, prints `ready <ports>` on stdout; a port that cannot be bound is an
 * error (exit 1).
 *
 * Usage: node dist/bench/model-redis.js --ports <spec> [--replicas K --replica-ports <spec>] [--control <port>]
 *   <spec>: comma-separated ports and first-last ranges, e.g. 22000-22499,23000
 *   Replica ports are handed out K per master in master order until they run out (so one replica
 *   port with --replicas 1 gives the first master one replica and the others none).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { RespReader, array, bulk, bulkArray, error, integer, simple } from './resp-lite.js';

const HOST = '127.0.0.1';
const VERSION = '7.0.15';

interface Conn {
  id: number;
  sock: net.Socket;
  inst: Inst | null; // null: the control port
  name: string;
  subs: Set<string>;
  multi: string[][] | null;
  multiDirty: boolean;
  created: number;
  lastCmdAt: number;
  lastCmd: string;
  addr: string;
}

interface Inst {
  port: number;
  runId: string;
  replId: string;
  role: 'master' | 'slave';
  masterHost: string;
  masterPort: number;
  /** The replication offset when this instance last became a master, and since when. */
  offsetBase: number;
  masterSince: number;
  /** A replica's offset frozen when its link went down (or NaN while following). */
  frozenOffset: number;
  /** When a replica's link went down (0: up, or never a replica). */
  linkDownSince: number;
  alive: boolean;
  server: net.Server | null;
  conns: Set<Conn>;
  startedAt: number;
}

function parseSpec(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').filter((p) => p.length > 0)) {
    const [a, b] = part.split('-');
    const first = Number(a);
    const last = b === undefined ? first : Number(b);
    if (!Number.isInteger(first) || !Number.isInteger(last) || last < first) throw new Error(`bad port spec ${part}`);
    for (let p = first; p <= last; p++) out.push(p);
  }
  return out;
}

const argv = process.argv.slice(2);
const opt = (k: string): string | undefined => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : undefined);
for (let i = 0; i < argv.length; i += 2) {
  if (!['--ports', '--replicas', '--replica-ports', '--control'].includes(argv[i]!)) {
    process.stderr.write(`model-redis: unknown argument ${argv[i]}\n`);
    process.exit(2);
  }
}
const masterPorts = parseSpec(opt('--ports') ?? '');
const replicaPorts = parseSpec(opt('--replica-ports') ?? '');
const replicasPer = Number(opt('--replicas') ?? (replicaPorts.length > 0 ? 1 : 0));
const controlPort = opt('--control') ? Number(opt('--control')) : 0;
if (masterPorts.length === 0) {
  process.stderr.write('model-redis: --ports is required\n');
  process.exit(2);
}

const t0 = Date.now();
const insts = new Map<number, Inst>();
const counts = new Map<string, number>();
const unknown = new Map<string, number>();
let nextConnId = 1;
let openConns = 0;

const hex40 = (): string => crypto.randomBytes(20).toString('hex');

function newInst(port: number): Inst {
  return {
    port,
    runId: hex40(),
    replId: hex40(),
    role: 'master',
    masterHost: '',
    masterPort: 0,
    offsetBase: 0,
    masterSince: Date.now(),
    frozenOffset: NaN,
    linkDownSince: 0,
    alive: false,
    server: null,
    conns: new Set(),
    startedAt: Date.now(),
  };
}

/** The master this replica follows, when it is a live master of this process. */
function upstream(r: Inst): Inst | undefined {
  if (r.role !== 'slave') return undefined;
  if (r.masterHost !== HOST && r.masterHost !== 'localhost') return undefined;
  const m = insts.get(r.masterPort);
  return m && m.alive && m.role === 'master' ? m : undefined;
}

function linkUp(r: Inst): boolean {
  return r.alive && upstream(r) !== undefined;
}

/** A master's replication offset: it grows by 14 bytes a second (the replication PINGs, roughly). */
function offsetOf(i: Inst, now: number): number {
  if (i.role === 'master') return i.offsetBase + Math.floor((now - i.masterSince) / 1000) * 14;
  const m = upstream(i);
  if (m && i.alive) return offsetOf(m, now);
  return Number.isNaN(i.frozenOffset) ? 0 : i.frozenOffset;
}

/** Replicas by the port they were told to follow (on this host), whatever its state. */
const followers = new Map<number, Set<Inst>>();

function follow(r: Inst, host: string, port: number): void {
  unfollow(r);
  r.role = 'slave';
  r.masterHost = host;
  r.masterPort = port;
  if (host === HOST || host === 'localhost') {
    let set = followers.get(port);
    if (!set) followers.set(port, (set = new Set()));
    set.add(r);
  }
}

function unfollow(r: Inst): void {
  if (r.role === 'slave') followers.get(r.masterPort)?.delete(r);
}

function replicasOf(m: Inst): Inst[] {
  const out: Inst[] = [];
  if (m.role !== 'master' || !m.alive) return out;
  for (const r of followers.get(m.port) ?? []) if (r.alive && r.role === 'slave' && insts.get(r.port) === r) out.push(r);
  return out;
}

/** Marks the link of every replica following `m` as down (m died or stopped being a master). */
function dropFollowers(m: Inst, now: number): void {
  for (const r of followers.get(m.port) ?? []) {
    if (r.linkDownSince === 0) {
      r.frozenOffset = offsetOf(m, now);
      r.linkDownSince = now;
    }
  }
}

/** The replicas following `m` see their link up again (m is back as a master). */
function raiseFollowers(m: Inst): void {
  for (const r of followers.get(m.port) ?? []) {
    r.linkDownSince = 0;
    r.frozenOffset = NaN;
  }
}

function infoText(i: Inst, section: string): string {
  const now = Date.now();
  const up = Math.floor((now - i.startedAt) / 1000);
  const all = section === '' || section === 'default' || section === 'all' || section === 'everything';
  const parts: string[] = [];
  if (all || section === 'server') {
    parts.push(
      [
        '# Server',
        `redis_version:${VERSION}`,
        'redis_git_sha1:00000000',
        'redis_git_dirty:0',
        'redis_mode:standalone',
        'os:Linux model',
        'arch_bits:64',
        `process_id:${process.pid}`,
        `run_id:${i.runId}`,
        `tcp_port:${i.port}`,
        `uptime_in_seconds:${up}`,
        `uptime_in_days:${Math.floor(up / 86400)}`,
        'hz:10',
        'executable:/model-redis',
        'config_file:',
      ].join('\r\n'),
    );
  }
  if (all || section === 'clients') {
    parts.push(['# Clients', `connected_clients:${i.conns.size}`, 'blocked_clients:0'].join('\r\n'));
  }
  if (all || section === 'replication') {
    const offset = offsetOf(i, now);
    const lines = ['# Replication', `role:${i.role}`];
    if (i.role === 'slave') {
      const link = linkUp(i);
      lines.push(
        `master_host:${i.masterHost}`,
        `master_port:${i.masterPort}`,
        `master_link_status:${link ? 'up' : 'down'}`,
        `master_last_io_seconds_ago:${link ? 0 : -1}`,
        'master_sync_in_progress:0',
        `slave_read_repl_offset:${offset}`,
        `slave_repl_offset:${offset}`,
      );
      if (!link) lines.push(`master_link_down_since_seconds:${i.linkDownSince ? Math.floor((now - i.linkDownSince) / 1000) : -1}`);
      lines.push('slave_priority:100', 'slave_read_only:1', 'replica_announced:1');
    }
    const reps = replicasOf(i);
    lines.push(`connected_slaves:${reps.length}`);
    reps.forEach((r, n) => lines.push(`slave${n}:ip=${HOST},port=${r.port},state=online,offset=${offset},lag=0`));
    lines.push(
      'master_failover_state:no-failover',
      `master_replid:${i.replId}`,
      'master_replid2:0000000000000000000000000000000000000000',
      `master_repl_offset:${offset}`,
      'second_repl_offset:-1',
      `repl_backlog_active:${reps.length > 0 || i.role === 'slave' ? 1 : 0}`,
      'repl_backlog_size:1048576',
      'repl_backlog_first_byte_offset:1',
      `repl_backlog_histlen:${offset}`,
    );
    parts.push(lines.join('\r\n'));
  }
  return parts.join('\r\n\r\n') + '\r\n';
}

function clientLine(c: Conn, now: number): string {
  const flags = c.subs.size > 0 ? 'P' : c.multi ? 'x' : 'N';
  return (
    `id=${c.id} addr=${c.addr} laddr=${HOST}:${c.inst?.port ?? controlPort} fd=${c.id + 10} name=${c.name} ` +
    `age=${Math.floor((now - c.created) / 1000)} idle=${Math.floor((now - c.lastCmdAt) / 1000)} flags=${flags} db=0 ` +
    `sub=${c.subs.size} psub=0 ssub=0 multi=${c.multi ? c.multi.length : -1} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 ` +
    `rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 events=r cmd=${c.lastCmd} user=default redir=-1 resp=2`
  );
}

function clientCommand(c: Conn, inst: Inst, args: string[]): string {
  const sub = (args[1] ?? '').toLowerCase();
  switch (sub) {
    case 'setname':
      if (args.length !== 3) return error("ERR wrong number of arguments for 'client|setname' command");
      c.name = args[2]!;
      return simple('OK');
    case 'getname':
      return bulk(c.name || null);
    case 'id':
      return integer(c.id);
    case 'list': {
      const now = Date.now();
      let list = [...inst.conns];
      const ti = args.findIndex((a, n) => n >= 2 && a.toLowerCase() === 'type');
      if (ti > 0) {
        const type = (args[ti + 1] ?? '').toLowerCase();
        list = list.filter((x) => (type === 'pubsub' ? x.subs.size > 0 : type === 'normal' ? x.subs.size === 0 : false));
      }
      return bulk(list.map((x) => clientLine(x, now) + '\n').join(''));
    }
    case 'pause':
    case 'unpause':
    case 'no-evict':
    case 'reply':
      return simple('OK');
    case 'kill': {
      if (args.length === 3) {
        const victim = [...inst.conns].find((x) => x.addr === args[2]);
        if (!victim) return error('ERR No such client');
        victim.sock.destroy();
        return simple('OK');
      }
      let type = '';
      let id = 0;
      let addr = '';
      let skipMe = true;
      for (let n = 2; n + 1 < args.length; n += 2) {
        const k = args[n]!.toLowerCase();
        const v = args[n + 1]!;
        if (k === 'type') type = v.toLowerCase();
        else if (k === 'id') id = Number(v);
        else if (k === 'addr') addr = v;
        else if (k === 'skipme') skipMe = v.toLowerCase() === 'yes';
        else if (k === 'laddr' || k === 'user') continue;
        else return error('ERR syntax error');
      }
      let killed = 0;
      for (const x of [...inst.conns]) {
        if (skipMe && x === c) continue;
        // Every connection here is a normal client or a subscriber (there are no replication links).
        if (type === 'pubsub' && x.subs.size === 0) continue;
        if (type === 'normal' && x.subs.size > 0) continue;
        if (type !== '' && type !== 'pubsub' && type !== 'normal') continue;
        if (id && x.id !== id) continue;
        if (addr && x.addr !== addr) continue;
        // Closed after the reply is written, as redis closes killed clients asynchronously.
        setImmediate(() => x.sock.destroy());
        killed++;
      }
      return integer(killed);
    }
    default:
      return error(`ERR unknown subcommand '${args[1] ?? ''}'. Try CLIENT HELP.`);
  }
}

function slaveof(inst: Inst, args: string[]): string {
  if (args.length !== 3) return error(`ERR wrong number of arguments for '${args[0]!.toLowerCase()}' command`);
  const now = Date.now();
  if (args[1]!.toLowerCase() === 'no' && args[2]!.toLowerCase() === 'one') {
    if (inst.role === 'slave') {
      inst.offsetBase = offsetOf(inst, now);
      inst.masterSince = now;
      unfollow(inst);
      inst.role = 'master';
      inst.masterHost = '';
      inst.masterPort = 0;
      inst.linkDownSince = 0;
      inst.frozenOffset = NaN;
      inst.replId = hex40();
    }
    return simple('OK');
  }
  const port = Number(args[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return error('ERR Invalid master port');
  if (inst.role === 'master') {
    dropFollowers(inst, now);
    inst.frozenOffset = offsetOf(inst, now);
  }
  follow(inst, args[1]!, port);
  if (upstream(inst)) {
    inst.linkDownSince = 0;
    inst.frozenOffset = NaN;
  } else {
    inst.linkDownSince = now;
  }
  return simple('OK');
}

function subscribe(c: Conn, args: string[], on: boolean): string {
  const out: string[] = [];
  const channels = args.slice(1);
  if (!on && channels.length === 0) channels.push(...c.subs);
  if (!on && channels.length === 0) return array([bulk('unsubscribe'), bulk(null), integer(0)]);
  for (const ch of channels) {
    if (on) c.subs.add(ch);
    else c.subs.delete(ch);
    out.push(array([bulk(on ? 'subscribe' : 'unsubscribe'), bulk(ch), integer(c.subs.size)]));
  }
  return out.join('');
}

function publish(inst: Inst, channel: string, message: string): number {
  let n = 0;
  const msg = array([bulk('message'), bulk(channel), bulk(message)]);
  for (const x of inst.conns) {
    if (x.subs.has(channel)) {
      x.sock.write(msg);
      n++;
    }
  }
  return n;
}

/** One command on a server port; returns the encoded reply ('' for none). */
function serve(c: Conn, inst: Inst, args: string[]): string {
  const name = args[0]!.toLowerCase();
  counts.set(name, (counts.get(name) ?? 0) + 1);
  c.lastCmd = name;
  c.lastCmdAt = Date.now();
  if (c.multi && !['exec', 'discard', 'multi', 'watch'].includes(name)) {
    if (!KNOWN.has(name)) {
      c.multiDirty = true;
      unknown.set(name, (unknown.get(name) ?? 0) + 1);
      return error(`ERR unknown command '${args[0]}', with args beginning with: ${args.slice(1).map((a) => `'${a}' `).join('')}`);
    }
    c.multi.push(args);
    return simple('QUEUED');
  }
  if (c.subs.size > 0 && !['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset'].includes(name)) {
    return error(`ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
  }
  switch (name) {
    case 'ping':
      if (c.subs.size > 0) return array([bulk('pong'), bulk(args[1] ?? '')]);
      return args.length > 1 ? bulk(args[1]!) : simple('PONG');
    case 'echo':
      return bulk(args[1] ?? '');
    case 'info':
      return bulk(infoText(inst, (args[1] ?? '').toLowerCase()));
    case 'role': {
      const now = Date.now();
      if (inst.role === 'master') {
        return array([bulk('master'), integer(offsetOf(inst, now)), array(replicasOf(inst).map((r) => bulkArray([HOST, String(r.port), String(offsetOf(r, now))])))]);
      }
      return array([bulk('slave'), bulk(inst.masterHost), integer(inst.masterPort), bulk(linkUp(inst) ? 'connected' : 'connect'), integer(offsetOf(inst, now))]);
    }
    case 'client':
      return clientCommand(c, inst, args);
    case 'subscribe':
      if (args.length < 2) return error("ERR wrong number of arguments for 'subscribe' command");
      return subscribe(c, args, true);
    case 'unsubscribe':
      return subscribe(c, args, false);
    case 'publish':
      if (args.length !== 3) return error("ERR wrong number of arguments for 'publish' command");
      return integer(publish(inst, args[1]!, args[2]!));
    case 'config': {
      const sub = (args[1] ?? '').toLowerCase();
      if (sub === 'set' || sub === 'rewrite' || sub === 'resetstat') return simple('OK');
      if (sub === 'get') return array([]);
      return error(`ERR unknown subcommand '${args[1] ?? ''}'. Try CONFIG HELP.`);
    }
    case 'slaveof':
    case 'replicaof':
      return slaveof(inst, args);
    case 'multi':
      if (c.multi) return error('ERR MULTI calls can not be nested');
      c.multi = [];
      c.multiDirty = false;
      return simple('OK');
    case 'exec': {
      if (!c.multi) return error('ERR EXEC without MULTI');
      const queued = c.multi;
      const dirty = c.multiDirty;
      c.multi = null;
      c.multiDirty = false;
      if (dirty) return error('EXECABORT Transaction discarded because of previous errors.');
      return array(queued.map((q) => serve(c, inst, q)));
    }
    case 'discard':
      if (!c.multi) return error('ERR DISCARD without MULTI');
      c.multi = null;
      return simple('OK');
    case 'watch':
    case 'unwatch':
      return simple('OK');
    case 'script':
      if ((args[1] ?? '').toLowerCase() === 'kill') return error('NOTBUSY No scripts in execution right now.');
      return error(`ERR unknown subcommand '${args[1] ?? ''}'. Try SCRIPT HELP.`);
    case 'shutdown':
      return simple('OK');
    case 'command':
      if ((args[1] ?? '').toLowerCase() === 'count') return integer(0);
      return array([]);
    case 'auth':
    case 'select':
    case 'readonly':
      return simple('OK');
    case 'hello':
      return error('NOPROTO this model server speaks RESP2 only');
    case 'quit':
      setImmediate(() => c.sock.end());
      return simple('OK');
    case 'dbsize':
      return integer(0);
    default:
      unknown.set(name, (unknown.get(name) ?? 0) + 1);
      return error(`ERR unknown command '${args[0]}', with args beginning with: ${args.slice(1).map((a) => `'${a}' `).join('')}`);
  }
}

const KNOWN = new Set([
  'ping', 'echo', 'info', 'role', 'client', 'subscribe', 'unsubscribe', 'publish', 'config', 'slaveof', 'replicaof',
  'script', 'shutdown', 'command', 'auth', 'select', 'readonly', 'hello', 'quit', 'dbsize', 'watch', 'unwatch',
]);

/** A command on the control port. */
function control(args: string[]): string {
  const name = args[0]!.toLowerCase();
  if (name === 'ping') return simple('PONG');
  if (name !== 'debug-model') return error(`ERR unknown control command '${args[0]}'`);
  const sub = (args[1] ?? '').toLowerCase();
  if (sub === 'stats') {
    let up = 0;
    for (const i of insts.values()) if (i.alive) up++;
    return bulk(JSON.stringify({ commands: Object.fromEntries(counts), unknown: Object.fromEntries(unknown), connections: openConns, portsUp: up, ports: insts.size }));
  }
  const port = Number(args[2]);
  const inst = insts.get(port);
  if (!inst) return error(`ERR no model server on port ${args[2]}`);
  if (sub === 'kill') {
    if (!inst.alive) return error('ERR already down');
    inst.alive = false;
    inst.server?.close();
    inst.server = null;
    for (const x of inst.conns) x.sock.destroy();
    dropFollowers(inst, Date.now());
    return simple('OK');
  }
  if (sub === 'revive') {
    if (inst.alive) return error('ERR already up');
    unfollow(inst);
    const fresh = newInst(port);
    insts.set(port, fresh);
    raiseFollowers(fresh);
    listen(fresh).then(
      () => {},
      (e: unknown) => process.stderr.write(`model-redis: revive ${port}: ${(e as Error).message}\n`),
    );
    return simple('OK');
  }
  return error(`ERR unknown DEBUG-MODEL subcommand '${args[1] ?? ''}'`);
}

function onConnection(sock: net.Socket, inst: Inst | null): void {
  const now = Date.now();
  const c: Conn = {
    id: nextConnId++,
    sock,
    inst,
    name: '',
    subs: new Set(),
    multi: null,
    multiDirty: false,
    created: now,
    lastCmdAt: now,
    lastCmd: 'NULL',
    addr: `${sock.remoteAddress ?? '?'}:${sock.remotePort ?? 0}`,
  };
  openConns++;
  inst?.conns.add(c);
  sock.setNoDelay(true);
  const reader = new RespReader({ inline: true });
  sock.on('data', (chunk: Buffer) => {
    reader.feed(chunk);
    let out = '';
    try {
      for (let v = reader.next(); v !== undefined; v = reader.next()) {
        if (!Array.isArray(v) || v.length === 0 || v.some((a) => typeof a !== 'string')) {
          out += error('ERR Protocol error: expected a multibulk of bulk strings');
          continue;
        }
        const args = v as string[];
        out += inst ? serve(c, inst, args) : control(args);
      }
    } catch (e) {
      out += error(`ERR Protocol error: ${(e as Error).message}`);
      sock.end(out);
      return;
    }
    if (out && !sock.destroyed) sock.write(out);
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    openConns--;
    inst?.conns.delete(c);
  });
}

function listen(inst: Inst): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => onConnection(s, inst));
    srv.once('error', reject);
    srv.listen({ host: HOST, port: inst.port, backlog: 511 }, () => {
      srv.removeListener('error', reject);
      srv.on('error', (e) => process.stderr.write(`model-redis: port ${inst.port}: ${e.message}\n`));
      inst.server = srv;
      inst.alive = true;
      inst.startedAt = Date.now();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  for (const p of masterPorts) insts.set(p, newInst(p));
  let r = 0;
  for (const m of masterPorts) {
    for (let k = 0; k < replicasPer && r < replicaPorts.length; k++, r++) {
      const rep = newInst(replicaPorts[r]!);
      follow(rep, HOST, m);
      insts.set(rep.port, rep);
    }
  }
  await Promise.all([...insts.values()].map(listen));
  if (controlPort) {
    await new Promise<void>((resolve, reject) => {
      const srv = net.createServer((s) => onConnection(s, null));
      srv.once('error', reject);
      srv.listen({ host: HOST, port: controlPort }, () => resolve());
    });
  }
  process.stdout.write(`ready ${insts.size} (${masterPorts.length} masters, ${r} replicas) in ${Date.now() - t0} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`model-redis: ${(e as Error).message}\n`);
  process.exit(1);
});
