/**
 * A driver for transcript tests (etcd raft's datadriven style): a script of commands fed to one
 * real SentinelCore, in virtual time, against model servers and peer sentinels that answer at
 * once, printing what the core does after each command. test/core/transcript.test.ts replays
 * every test/core/testdata/*.txt and compares; SENTINEL_TS_REWRITE=1 writes the outputs back
 * after a deliberate change (then read the diff).
 *
 * Commands (arguments are words; key=value options in any order):
 *   sentinel myid=<letter> [epoch=N]             before anything else: our id (the letter x 40)
 *   monitor <name> <port> quorum=N down-after=MS [failover-timeout=MS] [parallel-syncs=N] [fence=yes] [fence-after=MS]
 *   server <port> master | replica-of <port> [offset=N] [priority=N]
 *   peer <port> <letter> [votes=yes|no] [sees-down=yes|no]   a peer sentinel (known from the config)
 *   run <ms>          timer runs every 100 ms; connections open and commands are answered at once
 *   stall <ms>        the clock jumps forward by <ms> before the next timer run (an event-loop stall)
 *   kill <port>       the server or peer stops: its connections drop, new ones are refused
 *   promote <port>    the server becomes a master (promoted by sentinels we do not see)
 *   sever <peer-port> a partition between us and that peer only: it still reaches the servers
 *   peerview <peer-port> master=<port> config-epoch=N   what that peer answers to SENTINEL MASTER
 * A server's CLIENT LIST shows each peer's command connection: idle 0 while the peer reaches it,
 * then the whole seconds (of a wall clock starting at 0) since it stopped (kill).
 *   revive <port> [master]   it answers again (a revived server restarts with a new run id)
 *   set <port> offset=N | priority=N
 *   hello <peer-port> epoch=N master=<port> config-epoch=N   a hello from that peer
 *   ask <master-port> epoch=N runid=<letter>|*                a peer's is-master-down-by-addr
 *   show              the master as SENTINEL MASTER / REPLICAS would describe it (a few fields)
 *   failover [coordinated] [to=<port>]   SENTINEL FAILOVER [COORDINATED] [TO 127.0.0.1 <port>] (prints the refusal, if any)
 *   dryrun [coordinated] [to=<port>]     SENTINEL FAILOVER ... DRYRUN: the plan, one line per replica
 * Model servers are Redis 7.0: FAILOVER TO hands over at once (the master becomes a replica of
 * the target, the target a master), CLIENT PAUSE / UNPAUSE are shown.
 * Output lines: `t=<ms since start> <what>`, where <what> is an event (`+sdown master ...`), a
 * config write (`persist`), a command that changes a server (`-> <port> SLAVEOF NO ONE`), a vote
 * request to a peer, a script, an exit, or a log line above debug. Routine traffic (PING, INFO,
 * hellos, AUTH, CLIENT SETNAME, SUBSCRIBE, plain is-master-down questions, connects) is not shown.
 */
import type { MasterConfig } from '../../src/config/model.js';
import { newMasterConfig } from '../../src/config/model.js';
import type { Action, ReplyTag, Wire } from '../../src/core/actions.js';
import type { FailoverPlan } from '../../src/core/manual.js';
import { SentinelCore } from '../../src/core/sentinel.js';
import { mulberry32 } from '../sim/world.js';

const START = 1_000_000;
const TICK = 100;

interface ServerModel {
  port: number;
  alive: boolean;
  gen: number;
  role: 'master' | 'replica';
  masterPort: number;
  offset: number;
  priority: number;
}

interface PeerModel {
  port: number;
  runid: string;
  alive: boolean;
  /** False while a partition separates it from us only (it still reaches the servers). */
  reachable: boolean;
  /** When it stopped reaching the servers (0 = it reaches them). */
  leftServersAt: number;
  /** Its answer to SENTINEL MASTER: the master's port and config epoch (0 = the monitored one, epoch 0). */
  viewPort: number;
  viewEpoch: number;
  votes: boolean;
  seesDown: boolean;
  leader: string | null;
  leaderEpoch: number;
}

type Endpoint = { kind: 'server'; s: ServerModel } | { kind: 'peer'; p: PeerModel };

const id40 = (letter: string): string => (letter === '*' ? '*' : letter.length === 40 ? letter : letter.repeat(40).slice(0, 40));

function opts(words: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) m.set(w.slice(0, eq), w.slice(eq + 1));
  }
  return m;
}

function num(o: Map<string, string>, key: string, dflt?: number): number {
  const v = o.get(key);
  if (v === undefined) {
    if (dflt === undefined) throw new Error(`missing ${key}=`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`bad ${key}=${v}`);
  return n;
}

export class TranscriptWorld {
  private core: SentinelCore | null = null;
  private now = START;
  private myid = id40('a');
  private epoch = 0;
  private readonly masters: MasterConfig[] = [];
  private readonly servers = new Map<number, ServerModel>();
  private readonly peers = new Map<number, PeerModel>();
  /** Open connections: id -> the port it goes to. */
  private readonly conns = new Map<number, number>();
  private out: string[] = [];

  /** Runs one command; returns its output lines. */
  run(line: string): string[] {
    this.out = [];
    const [cmd = '', ...args] = line.trim().split(/\s+/);
    const o = opts(args);
    switch (cmd) {
      case 'sentinel':
        this.myid = id40(o.get('myid') ?? 'a');
        this.epoch = num(o, 'epoch', 0);
        break;
      case 'monitor': {
        const mc = newMasterConfig(args[0]!, '127.0.0.1', Number(args[1]), num(o, 'quorum'));
        mc.downAfterMs = num(o, 'down-after');
        mc.failoverTimeoutMs = num(o, 'failover-timeout', 180000);
        mc.parallelSyncs = num(o, 'parallel-syncs', 1);
        mc.fenceMinority = o.get('fence') === 'yes';
        if (o.has('fence-after')) mc.fenceAfterMs = num(o, 'fence-after');
        this.masters.push(mc);
        break;
      }
      case 'server': {
        const port = Number(args[0]);
        const replicaOf = args[1] === 'replica-of' ? Number(args[2]) : 0;
        this.servers.set(port, {
          port,
          alive: true,
          gen: 0,
          role: replicaOf ? 'replica' : 'master',
          masterPort: replicaOf,
          offset: num(o, 'offset', 100),
          priority: num(o, 'priority', 100),
        });
        break;
      }
      case 'peer': {
        const port = Number(args[0]);
        const runid = id40(args[1]!);
        this.peers.set(port, { port, runid, alive: true, reachable: true, leftServersAt: 0, viewPort: 0, viewEpoch: 0, votes: o.get('votes') !== 'no', seesDown: o.get('sees-down') !== 'no', leader: null, leaderEpoch: 0 });
        for (const m of this.masters) m.knownSentinels.push({ host: '127.0.0.1', port, runid });
        break;
      }
      case 'run':
        this.advance(Number(args[0]), 0);
        break;
      case 'stall':
        this.advance(TICK, Number(args[0]));
        break;
      case 'kill':
        this.kill(Number(args[0]));
        break;
      case 'revive':
        this.revive(Number(args[0]), args[1] === 'master');
        break;
      case 'promote': {
        const s = this.server(Number(args[0]));
        s.role = 'master';
        s.masterPort = 0;
        break;
      }
      case 'sever': {
        const p = this.peer(Number(args[0]));
        p.reachable = false;
        this.dropConnections(p.port);
        break;
      }
      case 'peerview': {
        const p = this.peer(Number(args[0]));
        p.viewPort = num(o, 'master');
        p.viewEpoch = num(o, 'config-epoch');
        break;
      }
      case 'set': {
        const s = this.server(Number(args[0]));
        s.offset = num(o, 'offset', s.offset);
        s.priority = num(o, 'priority', s.priority);
        break;
      }
      case 'hello': {
        const p = this.peer(Number(args[0]));
        const payload = `127.0.0.1,${p.port},${p.runid},${num(o, 'epoch')},${this.masters[0]!.name},127.0.0.1,${num(o, 'master')},${num(o, 'config-epoch')}`;
        this.ensureCore().helloFromPeer(payload, this.now);
        this.settle();
        break;
      }
      case 'ask': {
        const r = this.ensureCore().isMasterDownByAddr('127.0.0.1', Number(args[0]), num(o, 'epoch'), id40(o.get('runid') ?? '*'), this.now);
        this.settle();
        this.print(`reply ${r.join(' ')}`);
        break;
      }
      case 'show':
        this.show();
        break;
      case 'failover':
      case 'dryrun': {
        const core = this.ensureCore();
        const to = o.get('to');
        const opts = { ...(to ? { target: { host: '127.0.0.1', port: Number(to) } } : {}), ...(args.includes('coordinated') ? { coordinated: true } : {}) };
        if (cmd === 'dryrun') {
          this.plan(core.failoverPlan(this.masters[0]!.name, this.now, opts));
          break;
        }
        try {
          core.failover(this.masters[0]!.name, this.now, opts);
        } catch (e) {
          this.print(`refused ${(e as Error).message}`);
        }
        this.settle();
        break;
      }
      default:
        throw new Error(`unknown transcript command '${cmd}'`);
    }
    return this.out;
  }

  private ensureCore(): SentinelCore {
    if (this.core) return this.core;
    this.core = new SentinelCore({
      globals: { myid: this.myid, currentEpoch: this.epoch, announcePort: 0, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false },
      masters: this.masters,
      port: 26379,
      now: this.now,
      random: mulberry32(1),
    });
    // Like the official suite and the simulator: INFO every second keeps transcripts short.
    this.core.setTiming('infoPeriod', 1000);
    this.settle();
    return this.core;
  }

  private server(port: number): ServerModel {
    const s = this.servers.get(port);
    if (!s) throw new Error(`no server ${port}`);
    return s;
  }

  private peer(port: number): PeerModel {
    const p = this.peers.get(port);
    if (!p) throw new Error(`no peer ${port}`);
    return p;
  }

  private endpoint(port: number): Endpoint | undefined {
    const s = this.servers.get(port);
    if (s) return { kind: 'server', s };
    const p = this.peers.get(port);
    return p ? { kind: 'peer', p } : undefined;
  }

  private alive(port: number): boolean {
    const e = this.endpoint(port);
    return e !== undefined && (e.kind === 'server' ? e.s.alive : e.p.alive && e.p.reachable);
  }

  private print(what: string): void {
    this.out.push(`t=${this.now - START} ${what}`);
  }

  private advance(ms: number, jump: number): void {
    const core = this.ensureCore();
    const end = this.now + ms + jump;
    this.now += jump;
    while (this.now < end) {
      this.now = Math.min(end, this.now + TICK);
      core.tick(this.now);
      this.settle();
    }
  }

  private kill(port: number): void {
    const e = this.endpoint(port);
    if (!e) throw new Error(`nothing on ${port}`);
    if (e.kind === 'server') e.s.alive = false;
    else {
      e.p.alive = false;
      if (e.p.leftServersAt === 0) e.p.leftServersAt = this.now;
    }
    this.dropConnections(port);
  }

  private dropConnections(port: number): void {
    const core = this.ensureCore();
    for (const [conn, to] of [...this.conns]) {
      if (to !== port) continue;
      this.conns.delete(conn);
      core.closed(conn, 'ECONNRESET', this.now);
    }
    this.settle();
  }

  private revive(port: number, asMaster: boolean): void {
    const e = this.endpoint(port);
    if (!e) throw new Error(`nothing on ${port}`);
    if (e.kind === 'peer') {
      e.p.alive = true;
      e.p.reachable = true;
      e.p.leftServersAt = 0;
      return;
    }
    e.s.alive = true;
    e.s.gen++;
    if (asMaster) {
      e.s.role = 'master';
      e.s.masterPort = 0;
    }
  }

  /** Carries out the core's actions and answers everything, until the core has nothing more to do. */
  private settle(): void {
    const core = this.core!;
    for (let round = 0; round < 100; round++) {
      const actions = core.takeActions();
      if (actions.length === 0) return;
      const replies: { conn: number; tag: ReplyTag; value: Wire }[] = [];
      const opened: number[] = [];
      const refused: number[] = [];
      for (const a of actions) {
        this.describe(a);
        if (a.type === 'connect') {
          if (this.alive(a.port)) {
            this.conns.set(a.conn, a.port);
            opened.push(a.conn);
          } else {
            refused.push(a.conn);
          }
        } else if (a.type === 'close') {
          this.conns.delete(a.conn);
        } else if (a.type === 'send') {
          const port = this.conns.get(a.conn);
          if (port === undefined || !this.alive(port)) continue;
          replies.push({ conn: a.conn, tag: a.tag, value: this.answer(port, a.argv) });
        }
      }
      for (const c of opened) core.connected(c, '127.0.0.1', '127.0.0.1', this.now);
      for (const c of refused) core.closed(c, 'ECONNREFUSED', this.now);
      for (const r of replies) if (this.conns.has(r.conn)) core.reply(r.conn, r.tag, r.value, this.now);
    }
    throw new Error('the core never went quiet');
  }

  private describe(a: Action): void {
    switch (a.type) {
      case 'event':
        this.print(`${a.channel} ${a.message}`);
        break;
      case 'persist':
        this.print('persist');
        break;
      case 'log':
        if (a.level !== 'debug') this.print(`log ${a.level} ${a.message}`);
        break;
      case 'script':
        this.print(`script ${a.path} ${a.args.join(' ')}`);
        break;
      case 'exit':
        this.print(`exit ${a.code}`);
        break;
      case 'send': {
        const port = this.conns.get(a.conn);
        const [cmd = '', sub = ''] = a.argv;
        const routine = ['PING', 'INFO', 'PUBLISH', 'AUTH', 'CLIENT', 'SUBSCRIBE', 'MULTI', 'CONFIG', 'EXEC'];
        const pause = cmd.toUpperCase() === 'CLIENT' && ['PAUSE', 'UNPAUSE'].includes(sub.toUpperCase());
        if (routine.includes(cmd.toUpperCase()) && !pause) break;
        // Plain "do you see it down?" questions repeat every second; vote requests are the story.
        if (cmd.toUpperCase() === 'SENTINEL' && sub === 'is-master-down-by-addr' && a.argv[5] === '*') break;
        this.print(`-> ${port ?? '?'} ${a.argv.join(' ')}`);
        break;
      }
      default:
        break;
    }
  }

  private runid(s: ServerModel): string {
    return `${s.port}x${s.gen}`.padEnd(40, '0');
  }

  private info(s: ServerModel): string {
    const lines = ['# Server', 'redis_version:7.0.15', `run_id:${this.runid(s)}`, '# Replication'];
    if (s.role === 'master') {
      lines.push('role:master', `master_repl_offset:${s.offset}`);
      let i = 0;
      for (const r of this.servers.values()) {
        if (r.alive && r.role === 'replica' && r.masterPort === s.port) lines.push(`slave${i++}:ip=127.0.0.1,port=${r.port},state=online,offset=${r.offset},lag=0`);
      }
    } else {
      const m = this.servers.get(s.masterPort);
      const up = m !== undefined && m.alive && m.role === 'master';
      lines.push('role:slave', 'master_host:127.0.0.1', `master_port:${s.masterPort}`, `master_link_status:${up ? 'up' : 'down'}`);
      lines.push(`slave_repl_offset:${s.offset}`, `slave_priority:${s.priority}`, 'replica_announced:1');
    }
    lines.push('master_failover_state:no-failover');
    return lines.join('\r\n') + '\r\n';
  }

  private answer(port: number, argv: string[]): Wire {
    const e = this.endpoint(port)!;
    const cmd = (argv[0] ?? '').toUpperCase();
    if (cmd === 'PING') return 'PONG';
    if (cmd === 'PUBLISH') return 1;
    if (e.kind === 'peer') {
      if (cmd !== 'SENTINEL') return 'OK';
      const p = e.p;
      if ((argv[1] ?? '').toUpperCase() === 'MASTER') {
        const port = p.viewPort || this.masters[0]!.port;
        return ['name', argv[2] ?? '', 'ip', '127.0.0.1', 'port', String(port), 'flags', 'master', 'config-epoch', String(p.viewEpoch)];
      }
      const [, , , , epochText = '0', runid = '*'] = argv;
      const epoch = Number(epochText);
      if (runid !== '*' && p.votes && p.leaderEpoch < epoch) {
        p.leader = runid;
        p.leaderEpoch = epoch;
      }
      return [p.seesDown ? 1 : 0, runid !== '*' && p.leader ? p.leader : '*', runid !== '*' ? p.leaderEpoch : 0];
    }
    const s = e.s;
    if (cmd === 'INFO') return this.info(s);
    if (cmd === 'SLAVEOF' || cmd === 'REPLICAOF') {
      if ((argv[1] ?? '').toUpperCase() === 'NO') {
        s.role = 'master';
        s.masterPort = 0;
      } else {
        s.role = 'replica';
        s.masterPort = Number(argv[2]);
      }
      return 'QUEUED';
    }
    if (cmd === 'FAILOVER' && (argv[1] ?? '').toUpperCase() === 'TO') {
      // The hand-over, done at once: this master follows the target, which becomes the master.
      const target = this.server(Number(argv[3]));
      s.role = 'replica';
      s.masterPort = target.port;
      target.role = 'master';
      target.masterPort = 0;
      return 'QUEUED';
    }
    if (cmd === 'EXEC') return ['OK', 'OK', 1, 1];
    if (cmd === 'CLIENT' && (argv[1] ?? '').toUpperCase() === 'LIST') return this.clientList();
    if (cmd === 'SUBSCRIBE') return ['subscribe', argv[1] ?? '', 1];
    return 'OK';
  }

  /** The peers' command connections as a server's CLIENT LIST shows them (idle in whole wall-clock seconds). */
  private clientList(): string {
    const sec = (t: number): number => Math.floor((t - START) / 1000);
    const lines: string[] = [];
    let id = 1;
    for (const p of this.peers.values()) {
      const idle = p.leftServersAt === 0 ? 0 : sec(this.now) - sec(p.leftServersAt);
      lines.push(`id=${id++} addr=127.0.0.1:${40000 + p.port % 1000} name=sentinel-${p.runid.slice(0, 8)}-cmd age=10 idle=${idle} flags=N db=0 cmd=ping`);
    }
    return lines.join('\n') + '\n';
  }

  private plan(p: FailoverPlan): void {
    this.print(`plan would-start=${p.wouldStart ? 1 : 0} blocked-by=${p.blocker ? p.blocker.message : '-'} epoch=${p.epoch} tilt=${p.tilt ? 1 : 0} selected=${p.selected ?? '-'} target=${p.target ?? '-'}`);
    const e = p.election;
    this.print(`  election voters=${e.voters} quorum=${e.quorum} votes-needed=${e.votesNeeded} peers-reachable=${e.peersReachable}`);
    for (const r of p.replicas) this.print(`  replica ${r.name} rank=${r.rank} priority=${r.priority} offset=${r.offset}${r.eligible ? '' : ` excluded-by=${r.excludedBy}`}`);
  }

  private show(): void {
    const core = this.ensureCore();
    for (const m of core.snapshot().masters) {
      this.print(`master ${m.name} ${m.host}:${m.port} flags=${m.flags} config-epoch=${m.configEpoch} failover=${m.failoverState} leader=${m.leader ?? '-'}@${m.leaderEpoch}`);
      for (const r of m.replicas) this.print(`  replica ${r.name} flags=${r.flags} priority=${r.priority} offset=${r.offset}`);
      for (const p of m.sentinels) this.print(`  sentinel ${p.runid.slice(0, 8)} ${p.host}:${p.port} flags=${p.flags}`);
    }
    this.print(`current-epoch ${core.currentEpoch} tilt=${core.snapshot().tilt ? 1 : 0}`);
  }
}

export interface Block {
  /** Comment lines just above the command. */
  comments: string[];
  cmd: string;
  expected: string[];
}

/** Parses a transcript: `# comments`, then blocks of `command`, `----`, expected lines, blank line. */
export function parseTranscript(text: string): { header: string[]; blocks: Block[] } {
  const lines = text.split('\n');
  const header: string[] = [];
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length && (lines[i]!.startsWith('#') || lines[i]!.trim() === '')) header.push(lines[i++]!);
  let comments: string[] = [];
  while (i < lines.length) {
    const cmd = lines[i++]!;
    if (cmd.trim() === '') continue;
    if (cmd.startsWith('#')) {
      comments.push(cmd);
      continue;
    }
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after '${cmd}'`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i] !== '') expected.push(lines[i++]!);
    blocks.push({ comments, cmd, expected });
    comments = [];
  }
  while (header.length && header[header.length - 1]!.trim() === '') header.pop();
  // Comments above the first block belong to it, not to the file's header, once a blank line separates them.
  const gap = header.lastIndexOf('');
  if (gap >= 0 && blocks.length) blocks[0]!.comments = [...header.splice(gap).filter((l) => l !== ''), ...blocks[0]!.comments];
  return { header, blocks };
}

export function formatTranscript(header: string[], blocks: Block[]): string {
  const parts = [header.join('\n')];
  for (const b of blocks) parts.push([...b.comments, b.cmd, '----', ...b.expected].join('\n'));
  return parts.join('\n\n') + '\n';
}
