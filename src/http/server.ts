/**
 * The sentinel's HTTP side (sentinel-ts only, off unless `http-port` is set): health probes,
 * Prometheus metrics, and (to come) the JSON API, the event stream and the dashboard. Every
 * request goes through the same steps: size limits, the Host check (DNS rebinding; not for the
 * health probes, which load balancers call by any address), the route, authentication against
 * the sentinel's own users, the handler. Every answer that is not the thing asked for is a JSON
 * error with a 4xx/5xx code; nothing a client sends can throw out of here.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { AclUsers } from '../acl/users.js';
import type { HttpOptions, TlsOptions } from '../config/model.js';
import { listenAddresses } from '../server/server.js';
import { serverTlsOptions } from '../server/tls-options.js';
import { HttpListenError } from '../util/errors.js';
import type { LogLevel } from '../util/logger.js';
import { allowedHosts, authenticate, hostAllowed } from './guard.js';
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

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;

interface Route {
  /** Methods served; HEAD follows GET. */
  methods: readonly string[];
  /** Health probes skip the Host check and answer HEAD and OPTIONS with the same status (HAProxy). */
  probe?: boolean;
  /** The RESP command whose permission the endpoint needs when the sentinel has passwords. */
  command?: string;
  handler: Handler;
}

export class HttpFace {
  readonly metrics: SentinelMetrics;
  private readonly servers: net.Server[] = [];
  private readonly hosts: Set<string>;
  private readonly routes: Map<string, Route>;
  boundPort = 0;

  constructor(private readonly opts: HttpFaceOptions) {
    this.metrics = new SentinelMetrics(opts.view);
    this.hosts = allowedHosts(opts.http.bind ?? opts.bind);
    this.routes = new Map<string, Route>([
      ['/healthz/live', { methods: ['GET'], probe: true, handler: (_q, res) => json(res, 200, { status: 'live' }) }],
      ['/healthz/ready', { methods: ['GET'], probe: true, handler: (_q, res) => this.ready(res) }],
      ['/metrics', { methods: ['GET'], command: 'info', handler: (_q, res) => this.serveMetrics(res) }],
      ['/', { methods: ['GET'], command: 'ping', handler: (_q, res) => json(res, 200, { service: 'sentinel-ts', endpoints: [...this.routes.keys()].filter((p) => p !== '/') }) }],
    ]);
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
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ host: a.host, port, exclusive: true, ipv6Only: a.host.includes(':') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (a.optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
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
      const route = this.routes.get(url.pathname);
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
      await route.handler(req, res, url);
    } catch (err) {
      this.opts.log('warning', `HTTP ${req.method ?? '?'} ${req.url ?? '?'} failed: ${(err as Error).message}`);
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }

  private ready(res: http.ServerResponse): void {
    const v = this.opts.view;
    const now = v.now();
    const masters = v.core.masterNames().map((name) => {
      const q = v.core.ckquorum(name);
      const info = v.core.infoCache(name, now)?.[0];
      return { name, quorumOk: q.quorumOk && q.majorityOk, usable: q.usable, infoAgeMs: info?.age ?? 0, infoSeen: info?.info != null };
    });
    const reasons = readinessReasons({ tilt: v.core.snapshot().tilt, masters, infoFreshMs: 3 * v.core.timing.infoPeriod });
    json(res, reasons.length === 0 ? 200 : 503, { ready: reasons.length === 0, reasons });
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
