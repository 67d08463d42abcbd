/**
 * The sentinel's HTTP side (sentinel-ts only, off unless `http-port` is set): health probes,
 * Prometheus metrics, and (to come) the JSON API, the event stream and the dashboard. Every
 * request goes through the same steps: size limits, the Host check (DNS rebinding; not for the
 * health probes, which load balancers call by any address), the route, authentication against
 * the sentinel's own users, the handler. Every answer that is not the thing asked for is a JSON
 * error with a 4xx/5xx code; nothing a client sends can throw out of here.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { AclUsers } from '../acl/users.js';
import type { HttpOptions, TlsOptions } from '../config/model.js';
import { listenAddresses, listenOn } from '../server/listen.js';
import { serverTlsOptions } from '../server/tls-options.js';
import { HttpListenError } from '../util/errors.js';
import type { LogLevel } from '../util/logger.js';
import { SentinelError } from '../util/errors.js';
import { mastersBody, masterBody, parseAddr, parseFailoverBody } from './api.js';
import { EventLog, FailoverLog } from './events.js';
import type { SentinelEvent } from './events.js';
import { allowedHosts, authenticate, crossOriginRefusal, hostAllowed } from './guard.js';
import { readinessReasons } from './health.js';
import type { SentinelView } from './metrics.js';
import { SentinelMetrics } from './metrics.js';

export interface HttpFaceOptions {
  http: HttpOptions;
  /** The sentinel's own `bind`, used when `http-bind` is not set. */
  bind: readonly string[];
  tls: TlsOptions;
  view: SentinelView;
  users: () => AclUsers;
  log: (level: LogLevel, message: string) => void;
}

/** Longest request target accepted (the API's paths and queries are short). */
const MAX_URL = 4096;
/** Largest request body accepted (a failover request is a few dozen bytes). */
const MAX_BODY = 16 * 1024;
/** An event-stream client whose unread output passes this is dropped (it reconnects with Last-Event-ID). */
const SSE_MAX_BUFFER = 1024 * 1024;
const SSE_HEARTBEAT_MS = 15_000;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, params: string[]) => void | Promise<void>;

interface Route {
  /** The path, with `([^/]+)` for a master name. */
  pattern: RegExp;
  /** Methods served; HEAD follows GET. */
  methods: readonly string[];
  /** Probes (health, is-master) skip the Host check and answer HEAD and OPTIONS with the same status (HAProxy). */
  probe?: boolean;
  /** The RESP command whose permission the endpoint needs when the sentinel has passwords. */
  command?: string;
  handler: Handler;
}

export class HttpFace {
  readonly metrics: SentinelMetrics;
  readonly events = new EventLog();
  readonly failovers: FailoverLog;
  private readonly servers: net.Server[] = [];
  private readonly hosts: Set<string>;
  private readonly routes: Route[];
  private readonly streams = new Set<http.ServerResponse>();
  boundPort = 0;

  constructor(private readonly opts: HttpFaceOptions) {
    const v = opts.view;
    this.metrics = new SentinelMetrics(v);
    this.failovers = new FailoverLog(() => v.core.myid);
    this.hosts = allowedHosts(opts.http.bind ?? opts.bind);
    const read = 'sentinel|masters';
    this.routes = [
      { pattern: /^\/healthz\/live$/, methods: ['GET'], probe: true, handler: (_q, res) => json(res, 200, { status: 'live' }) },
      { pattern: /^\/healthz\/ready$/, methods: ['GET'], probe: true, handler: (_q, res) => this.ready(res) },
      { pattern: /^\/metrics$/, methods: ['GET'], command: 'info', handler: (_q, res) => this.serveMetrics(res) },
      { pattern: /^\/v1\/masters$/, methods: ['GET'], command: read, handler: (_q, res) => json(res, 200, mastersBody(v.core, v.now())) },
      { pattern: /^\/v1\/masters\/([^/]+)$/, methods: ['GET'], command: 'sentinel|master', handler: (_q, res, _u, [name]) => this.master(res, name!) },
      { pattern: /^\/v1\/masters\/([^/]+)\/is-master$/, methods: ['GET'], probe: true, command: 'sentinel|get-master-addr-by-name', handler: (_q, res, url, [name]) => this.isMaster(res, name!, url) },
      { pattern: /^\/v1\/masters\/([^/]+)\/failover$/, methods: ['POST'], command: 'sentinel|failover', handler: (req, res, _u, [name]) => this.failover(req, res, name!) },
      { pattern: /^\/v1\/events$/, methods: ['GET'], command: read, handler: (_q, res, url) => this.eventList(res, url) },
      { pattern: /^\/v1\/events\/stream$/, methods: ['GET'], command: read, handler: (req, res, url) => this.stream(req, res, url) },
      { pattern: /^\/ui$/, methods: ['GET'], handler: (_q, res) => redirect(res, '/ui/') },
      { pattern: /^\/ui\/([a-z.]*)$/, methods: ['GET'], command: read, handler: (_q, res, _u, [file]) => serveUi(res, file || 'index.html') },
      { pattern: /^\/v1\/failovers$/, methods: ['GET'], command: read, handler: (_q, res) => json(res, 200, { failovers: this.failovers.list() }) },
      {
        pattern: /^\/$/,
        methods: ['GET'],
        command: 'ping',
        handler: (_q, res) => json(res, 200, { service: 'sentinel-ts', endpoints: ['/healthz/live', '/healthz/ready', '/metrics', '/v1/masters', '/v1/masters/{name}', '/v1/masters/{name}/is-master?addr=ip:port', 'POST /v1/masters/{name}/failover', '/v1/events?since=', '/v1/events/stream', '/v1/failovers'] }),
      },
    ];
  }

  /** Every event the sentinel publishes (the shell calls this as it carries out the core's actions). */
  onEvent(event: string, message: string, master: string | undefined): void {
    this.metrics.onEvent(event, master);
    const e = this.events.add(event, message, master ?? null, Date.now());
    this.failovers.onEvent(e, () => this.metrics.triggerOf(master ?? ''));
  }

  /** Listens on every address; a port in use rejects with the OS error (the caller reports it). */
  async listen(): Promise<void> {
    const o = this.opts.http;
    let tlsOpts: https.ServerOptions | null = null;
    if (o.tls) {
      if (!this.opts.tls.certFile || !this.opts.tls.keyFile) throw new HttpListenError('http-tls yes needs tls-cert-file and tls-key-file');
      // The sentinel's certificate; browsers and probes bring no client certificate.
      tlsOpts = { ...serverTlsOptions(this.opts.tls), requestCert: false, rejectUnauthorized: false };
    }
    let port = o.port;
    for (const a of listenAddresses(o.bind ?? this.opts.bind)) {
      const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res);
      const srv = tlsOpts ? https.createServer({ ...tlsOpts, maxHeaderSize: 16384 }, handler) : http.createServer({ maxHeaderSize: 16384 }, handler);
      // Slow or idle clients must not hold sockets for ever.
      srv.headersTimeout = 10_000;
      srv.requestTimeout = 30_000;
      srv.keepAliveTimeout = 5_000;
      srv.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"bad request"}');
      });
      try {
        if (!(await listenOn(srv, a, port))) continue;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        await this.close();
        const why = code === 'EADDRINUSE' ? 'Address already in use' : (err as Error).message;
        throw new HttpListenError(`Could not create HTTP listening socket ${a.host.includes(':') ? `[${a.host}]` : a.host}:${port}: bind: ${why}`);
      }
      const bound = srv.address();
      if (bound && typeof bound === 'object') port = bound.port;
      this.servers.push(srv);
    }
    this.boundPort = port;
    this.opts.log('notice', `HTTP ${o.tls ? '(TLS) ' : ''}listening on port ${port}: /healthz/live /healthz/ready /metrics`);
  }

  async close(): Promise<void> {
    for (const r of this.streams) r.destroy();
    this.streams.clear();
    const all = this.servers.splice(0);
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            (s as http.Server).closeAllConnections?.();
          }),
      ),
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'no-store');
      const target = req.url ?? '/';
      if (target.length > MAX_URL) return json(res, 414, { error: 'request target too long' });
      let url: URL;
      try {
        url = new URL(target, 'http://sentinel.invalid');
      } catch {
        return json(res, 400, { error: 'bad request target' });
      }
      let route: Route | undefined;
      let params: string[] = [];
      for (const r of this.routes) {
        const m = r.pattern.exec(url.pathname);
        if (!m) continue;
        route = r;
        params = m.slice(1).map((p) => decodeURIComponent(p));
        break;
      }
      if (!route?.probe && !hostAllowed(req.headers.host, this.hosts)) return json(res, 403, { error: `unknown Host ${String(req.headers.host)}` });
      if (!route) return json(res, 404, { error: `no such endpoint: ${url.pathname}` });
      const method = req.method ?? 'GET';
      const served = route.probe ? [...route.methods, 'HEAD', 'OPTIONS'] : route.methods.includes('GET') ? [...route.methods, 'HEAD'] : route.methods;
      if (!served.includes(method)) {
        res.setHeader('Allow', served.join(', '));
        return json(res, 405, { error: `method ${method} not allowed on ${url.pathname}` });
      }
      if (route.command) {
        const auth = authenticate(this.opts.users(), req.headers.authorization, route.command);
        if (!auth.ok) {
          if (auth.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="sentinel-ts", charset="UTF-8"');
          return json(res, auth.status, { error: auth.message });
        }
      }
      await route.handler(req, res, url, params);
    } catch (err) {
      this.opts.log('warning', `HTTP ${req.method ?? '?'} ${req.url ?? '?'} failed: ${(err as Error).message}`);
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }

  private ready(res: http.ServerResponse): void {
    const reasons = this.readyReasons();
    json(res, reasons.length === 0 ? 200 : 503, { ready: reasons.length === 0, reasons });
  }

  private readyReasons(): string[] {
    const v = this.opts.view;
    const now = v.now();
    const masters = v.core.masterNames().map((name) => {
      const q = v.core.ckquorum(name);
      const info = v.core.infoCache(name, now)?.[0];
      return { name, quorumOk: q.quorumOk && q.majorityOk, usable: q.usable, infoAgeMs: info?.age ?? 0, infoSeen: info?.info != null };
    });
    return readinessReasons({ tilt: v.core.snapshot().tilt, masters, infoFreshMs: 3 * v.core.timing.infoPeriod });
  }

  private master(res: http.ServerResponse, name: string): void {
    const body = masterBody(this.opts.view.core, name, this.opts.view.now());
    if (body === null) return json(res, 404, { error: `no such master: ${name}` });
    json(res, 200, body);
  }

  /** 200 only while `addr` is this master's current address and this sentinel is ready. */
  private isMaster(res: http.ServerResponse, name: string, url: URL): void {
    const core = this.opts.view.core;
    const asked = parseAddr(url.searchParams.get('addr'));
    if (!asked) return json(res, 400, { error: 'addr=ip:port is required' });
    const cur = core.masterAddr(name);
    if (!cur) return json(res, 404, { error: `no such master: ${name}` });
    const reasons = this.readyReasons();
    const same = cur.port === asked.port && cur.host.toLowerCase() === asked.host.toLowerCase();
    if (!same) reasons.unshift(`the master is ${cur.host}:${cur.port}`);
    json(res, reasons.length === 0 ? 200 : 503, { master: reasons.length === 0, address: `${cur.host}:${cur.port}`, reasons });
  }

  private async failover(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return json(res, 415, { error: 'Content-Type must be application/json' });
    const refusal = crossOriginRefusal({ origin: req.headers.origin, secFetchSite: header(req, 'sec-fetch-site'), host: req.headers.host });
    if (refusal) return json(res, 403, { error: refusal });
    const raw = await readBody(req, MAX_BODY);
    if (raw === null) return json(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(raw === '' ? '{}' : raw);
    } catch {
      return json(res, 400, { error: 'the body is not valid JSON' });
    }
    const ask = parseFailoverBody(body);
    if (typeof ask === 'string') return json(res, 400, { error: ask });
    const v = this.opts.view;
    if (!v.core.hasMaster(name)) return json(res, 404, { error: `no such master: ${name}` });
    if (ask.dryRun) return json(res, 200, v.core.failoverPlan(name, v.now(), ask.opts));
    try {
      v.apply(() => v.core.failover(name, v.now(), ask.opts));
    } catch (err) {
      if (err instanceof SentinelError) return json(res, 409, { error: err.message, code: err.code });
      throw err;
    }
    json(res, 202, { started: true, master: name, mode: ask.opts.coordinated ? 'coordinated' : 'plain', to: ask.opts.target ? `${ask.opts.target.host}:${ask.opts.target.port}` : null });
  }

  private eventList(res: http.ServerResponse, url: URL): void {
    const since = Number(url.searchParams.get('since') ?? '0');
    if (!Number.isInteger(since) || since < 0) return json(res, 400, { error: 'since must be an event id (an integer >= 0)' });
    const r = this.events.since(since);
    json(res, 200, { last_id: this.events.lastId, truncated: r.truncated, events: r.events });
  }

  /** Server-Sent Events: replay after Last-Event-ID (or ?since=), then live; a comment every 15 s. */
  private stream(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const last = Number(header(req, 'last-event-id') ?? url.searchParams.get('since') ?? String(this.events.lastId));
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    if (req.method === 'HEAD') return void res.end();
    res.write('retry: 1000\n\n');
    const send = (e: SentinelEvent): void => {
      if (res.writableLength > SSE_MAX_BUFFER) return void res.destroy();
      res.write(`id: ${e.id}\nevent: sentinel\ndata: ${JSON.stringify(e)}\n\n`);
    };
    for (const e of this.events.since(Number.isInteger(last) && last >= 0 ? last : this.events.lastId).events) send(e);
    const unsubscribe = this.events.subscribe(send);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
    this.streams.add(res);
    res.on('close', () => {
      clearInterval(beat);
      unsubscribe();
      this.streams.delete(res);
    });
  }

  private async serveMetrics(res: http.ServerResponse): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }
}

/**
 * A JSON answer. HEAD gets the headers of the GET (Content-Length included, no body); OPTIONS
 * gets the status alone, with an empty body (HAProxy's check reads the status line).
 */
function json(res: http.ServerResponse, status: number, body: unknown): void {
  const m = res.req.method;
  const text = m === 'OPTIONS' ? '' : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(m === 'HEAD' ? undefined : text);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request body as text, or null when it is larger than `max` (the rest is not read). */
function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The dashboard's files (ui/ at the package root): a fixed list, nothing else is read from disk. */
const UI_FILES = new Map([
  ['index.html', 'text/html; charset=utf-8'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
]);
const UI_DIR = new URL('../../../ui/', import.meta.url);

function serveUi(res: http.ServerResponse, file: string): void {
  const type = UI_FILES.get(file);
  if (!type) return json(res, 404, { error: `no such file: /ui/${file}` });
  let body: Buffer;
  try {
    body = fs.readFileSync(new URL(file, UI_DIR));
  } catch {
    return json(res, 404, { error: `the dashboard is not installed (/ui/${file})` });
  }
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': body.length,
    // Scripts and styles from here only (no inline code), never framed (clickjacking of the failover button).
    'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(301, { Location: to, 'Content-Length': 0 });
  res.end();
}
