/**
 * The sentinels a drill talks to: the ones given on the command line plus their peers, one
 * lazily opened connection each. They answer three questions: which master to write to (the
 * first that answers, as the Sentinel client spec has clients resolve), what each of them
 * names now (to see when all agree on the new master), and the failover request itself.
 *
 * Calls have short timeouts: a sentinel that stops answering must not stall the polling of the
 * others or the writer's re-resolution; its connection is dropped and made again next time.
 */
import type { RespValue } from '../protocol/reply-parser.js';
import { ConnectionError } from '../util/errors.js';
import type { Credentials, Endpoint } from './drill-args.js';
import { RespClient } from './resp-client.js';
import type { TlsSettings } from './resp-client.js';

const CONNECT_TIMEOUT_MS = 1000;
const COMMAND_TIMEOUT_MS = 1000;

export const addrText = (e: Endpoint): string => `${e.host}:${e.port}`;

/** What one sentinel says the master is: an address, null (it does not know the name), or why it did not answer. */
export type MasterView = Endpoint | null | Error;

export class SentinelSet {
  readonly endpoints: Endpoint[] = [];
  private readonly links = new Map<string, Promise<RespClient>>();

  constructor(
    given: readonly Endpoint[],
    private readonly auth: Credentials,
    private readonly tls: TlsSettings | undefined,
  ) {
    for (const e of given) this.add(e);
  }

  /** Adds a sentinel to follow unless already known by the same address text; true when added. */
  add(e: Endpoint): boolean {
    if (this.endpoints.some((k) => addrText(k) === addrText(e))) return false;
    this.endpoints.push(e);
    return true;
  }

  /** One command to one sentinel; a broken connection is forgotten so the next call reconnects. */
  async call(e: Endpoint, ...args: (string | number)[]): Promise<RespValue> {
    const key = addrText(e);
    let link = this.links.get(key);
    if (!link) {
      link = RespClient.connect({
        host: e.host,
        port: e.port,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        ...this.auth,
        ...(this.tls ? { tls: this.tls } : {}),
      });
      this.links.set(key, link);
      // Shared by concurrent callers; a failed connect is forgotten at once.
      link.then(
        (c) => c.onClose(() => this.forget(key, link!)),
        () => this.forget(key, link!),
      );
    }
    const client = await link;
    try {
      return await client.call(...args);
    } catch (err) {
      if (err instanceof ConnectionError) this.forget(key, link);
      throw err;
    }
  }

  /**
   * One command on a connection of its own, with its own reply timeout: for the failover request,
   * whose reply may take longer than a query's and must not be confused with one.
   */
  async callOnce(e: Endpoint, timeoutMs: number, ...args: (string | number)[]): Promise<RespValue> {
    const client = await RespClient.connect({
      host: e.host,
      port: e.port,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      commandTimeoutMs: timeoutMs,
      ...this.auth,
      ...(this.tls ? { tls: this.tls } : {}),
    });
    try {
      return await client.call(...args);
    } finally {
      client.close();
    }
  }

  private forget(key: string, link: Promise<RespClient>): void {
    if (this.links.get(key) === link) this.links.delete(key);
  }

  /** SENTINEL GET-MASTER-ADDR-BY-NAME: the address, or null when the sentinel does not know `name`. */
  async masterAddr(e: Endpoint, name: string): Promise<Endpoint | null> {
    const r = await this.call(e, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
    if (r === null) return null;
    if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'string') {
      const port = Number(r[1]);
      if (Number.isInteger(port) && port > 0) return { host: r[0], port };
    }
    throw new Error(`unexpected reply to GET-MASTER-ADDR-BY-NAME from ${addrText(e)}: ${JSON.stringify(r)}`);
  }

  /** The peers a sentinel knows for `name` (SENTINEL SENTINELS: one flat field map per peer). */
  async peers(e: Endpoint, name: string): Promise<Endpoint[]> {
    const r = await this.call(e, 'SENTINEL', 'SENTINELS', name);
    if (!Array.isArray(r)) return [];
    const out: Endpoint[] = [];
    for (const entry of r) {
      if (!Array.isArray(entry)) continue;
      const fields = new Map<string, RespValue>();
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]!);
      const ip = fields.get('ip');
      const port = Number(fields.get('port'));
      if (typeof ip === 'string' && Number.isInteger(port) && port > 0) out.push({ host: ip, port });
    }
    return out;
  }

  /** What every followed sentinel names now, asked in parallel, in `endpoints` order. */
  async views(name: string): Promise<MasterView[]> {
    return Promise.all(this.endpoints.map((e) => this.masterAddr(e, name).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
  }

  /**
   * The master as a client resolves it: the first sentinel, in order, that names one. Order is
   * the given sentinels first, so the writer asks what the operator pointed it at.
   */
  async resolveMaster(name: string): Promise<Endpoint | null> {
    for (const e of this.endpoints) {
      try {
        const m = await this.masterAddr(e, name);
        if (m) return m;
      } catch {
        // try the next one, as the client spec says
      }
    }
    return null;
  }

  close(): void {
    for (const link of this.links.values()) link.then((c) => c.close(), () => {});
    this.links.clear();
  }
}
