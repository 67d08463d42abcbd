/**
 * The core's outbox: every effect the core wants is queued here as plain data (see actions.ts),
 * together with the bookkeeping that effects need: connection ids, and instance ids that reply
 * tags refer to. Nothing here decides anything.
 */
import type { LogLevel } from '../util/logger.js';
import type { Action, ReplyKind } from './actions.js';
import type { Addr } from './addr.js';
import type { AnyInstance, Link, MasterInstance } from './instance.js';
import { masterOf } from './instance.js';

export interface ConnEntry {
  readonly link: Link;
  readonly which: 'cc' | 'pc';
  /** The address dialed: a name (not an IP literal) is resolved by the connection. */
  readonly host: string;
  established: boolean;
}

export class Effects {
  private actions: Action[] = [];
  private nextConnId = 1;
  private nextInstanceId = 1;
  /** Open (or opening) connections: id -> the link it belongs to. */
  readonly conns = new Map<number, ConnEntry>();
  /** Live instances by id: a reply whose instance is gone finds nothing here. */
  readonly instances = new Map<number, AnyInstance>();

  /** `s` is the core's state; only announce-hostnames is read here (how addresses are shown). */
  constructor(private readonly s: { readonly announceHostnames: boolean }) {}

  /** The actions queued since the last call, in the order they must be carried out. */
  take(): Action[] {
    const a = this.actions;
    this.actions = [];
    return a;
  }

  track(ri: AnyInstance): void {
    ri.id = this.nextInstanceId++;
    this.instances.set(ri.id, ri);
  }

  untrack(ri: AnyInstance): void {
    ri.dead = true;
    this.instances.delete(ri.id);
  }

  persist(): void {
    this.actions.push({ type: 'persist' });
  }

  log(level: LogLevel, message: string): void {
    this.actions.push({ type: 'log', level, message });
  }

  exit(code: number): void {
    this.actions.push({ type: 'exit', code });
  }

  script(path: string, args: string[]): void {
    this.actions.push({ type: 'script', path, args });
  }

  /** The address as shown to the outside: host name with announce-hostnames, else IP. */
  announceAddr(a: Addr): string {
    return this.s.announceHostnames ? a.hostname : a.ip;
  }

  /**
   * Queues an event. With an instance, the message starts with
   * `<kind> <name> <ip> <port>` (plus ` @ <master> <ip> <port>` for replicas and sentinels).
   */
  event(level: LogLevel, channel: string, ri: AnyInstance | null, extra?: string): void {
    let msg = '';
    if (ri) {
      msg = `${ri.kind} ${ri.name} ${this.announceAddr(ri.addr)} ${ri.addr.port}`;
      if (ri.kind !== 'master') {
        const m = ri.master;
        msg += ` @ ${m.name} ${this.announceAddr(m.addr)} ${m.addr.port}`;
      }
      if (extra !== undefined) msg += ` ${extra}`;
    } else {
      msg = extra ?? '';
    }
    this.emit(level, channel, msg, ri ? masterOf(ri) : undefined);
  }

  /**
   * An event about master `m` whose message is given whole (+switch-master, +new-epoch,
   * +vote-for-leader): like redis, it still runs the master's notification script.
   */
  masterEvent(level: LogLevel, channel: string, m: MasterInstance, message: string): void {
    this.emit(level, channel, message, m);
  }

  private emit(level: LogLevel, channel: string, message: string, master: MasterInstance | undefined): void {
    this.actions.push(master === undefined ? { type: 'event', level, channel, message } : { type: 'event', level, channel, message, masterName: master.name });
    // Warning-level events about an instance also go to the master's notification script.
    if (level === 'warning' && master?.notificationScript) this.script(master.notificationScript, [channel, message]);
  }

  /** Queues a command on one of the instance's connections; false when that connection is not open. */
  send(ri: AnyInstance, which: 'cc' | 'pc', kind: ReplyKind, argv: string[]): boolean {
    const conn = which === 'cc' ? ri.link.cc : ri.link.pc;
    if (conn === null) return false;
    this.actions.push({ type: 'send', conn, argv, tag: { kind, id: ri.id } });
    if (which === 'cc') ri.link.pendingCommands++;
    return true;
  }

  /** INFO on the command connection, under the master's name for the command (rename-command). */
  sendInfo(ri: AnyInstance): boolean {
    return this.send(ri, 'cc', 'info', [masterOf(ri).cmd('INFO')]);
  }

  openConn(link: Link, which: 'cc' | 'pc', host: string, port: number): number {
    const conn = this.nextConnId++;
    this.conns.set(conn, { link, which, host, established: false });
    this.actions.push({ type: 'connect', conn, host, port, purpose: which === 'cc' ? 'cmd' : 'pubsub' });
    if (which === 'cc') link.cc = conn;
    else link.pc = conn;
    return conn;
  }

  /** Closes one connection of a link and marks the link disconnected (redis: instanceLinkCloseConnection). */
  closeConn(link: Link, which: 'cc' | 'pc'): void {
    const conn = which === 'cc' ? link.cc : link.pc;
    if (conn === null) return;
    this.conns.delete(conn);
    this.actions.push({ type: 'close', conn });
    if (which === 'cc') {
      link.cc = null;
      link.pendingCommands = 0;
    } else {
      link.pc = null;
    }
    link.disconnected = true;
  }

  closeLink(link: Link): void {
    this.closeConn(link, 'cc');
    this.closeConn(link, 'pc');
  }

  /** Drops an instance's reference to its link, closing it when nobody else uses it. */
  releaseLink(ri: AnyInstance): void {
    ri.link.refcount--;
    if (ri.link.refcount <= 0) this.closeLink(ri.link);
  }
}
