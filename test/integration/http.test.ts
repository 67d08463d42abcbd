/**
 * The HTTP side (sentinel-ts's `http-port`) against real processes: a master, 2 replicas and 3
 * sentinel-ts, each with its own HTTP port. Health probes, /metrics in the Prometheus text
 * format (linted by Debian's promtool, scraped by a real Prometheus server), the request guards,
 * Basic authentication against the sentinel's users, the config rewrite, a port in use, and the
 * failover counter after `kill -9` of the master.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { httpPortLines, useSettledTopology } from '../helpers/fixture.js';
import { makeCerts } from '../helpers/certs.js';
import { SENTINEL_TS } from '../helpers/paths.js';
import { removeTempDir, spawnTracked, tempDir } from '../helpers/pids.js';
import { freePort } from '../helpers/ports.js';
import { startSentinel, tsOnly } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

const skip = tsOnly('http-port is a sentinel-ts extension');
const httpPorts: number[] = [];
const { topo } = useSettledTopology({
  skip,
  downAfterMs: 2000,
  linesFor: httpPortLines(httpPorts),
});

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const noPromtool = skip || (has('promtool') ? false : 'promtool not installed (Debian package prometheus; scripts/setup.sh installs it)');
const noPrometheus = skip || (has('prometheus') ? false : 'prometheus not installed (Debian package prometheus; scripts/setup.sh installs it)');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (fetch would not let a test set Host). */
function request(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const postJson = (port: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
  request(port, { method: 'POST', path, headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** An event-stream client: every event it has received so far. */
function eventStream(port: number, lastEventId?: number): { events: { id: string; data: { event: string; message: string } }[]; close(): void } {
  const events: { id: string; data: { event: string; message: string } }[] = [];
  let buf = '';
  const headers: Record<string, string> = lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) };
  const req = http.get({ host: '127.0.0.1', port, path: '/v1/events/stream', headers }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) events.push({ id, data: JSON.parse(data) as { event: string; message: string } });
      }
    });
  });
  req.on('error', () => {});
  return { events, close: () => req.destroy() };
}

/** promtool's findings on a /metrics body, minus the ones compatibility forces (issue 13). */
function lint(body: string): { status: number | null; findings: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  const tolerated = [/^redis_sentinel_master_setting_down_after_milliseconds /, /^nodejs_active_(handles|requests|resources)_total /];
  const findings = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !tolerated.some((t) => t.test(l)));
  return { status: r.status, findings };
}

test('health probes: live at once, ready once converged; HEAD and OPTIONS answer with the same code', { skip }, async () => {
  const port = httpPorts[0]!;
  const live = await request(port, { path: '/healthz/live' });
  assert.equal(live.status, 200);
  assert.deepEqual(JSON.parse(live.body), { status: 'live' });
  await waitFor(async () => (await request(port, { path: '/healthz/ready' })).status === 200, 15000, 'ready');
  assert.deepEqual(JSON.parse((await request(port, { path: '/healthz/ready' })).body), { ready: true, reasons: [] });
  for (const method of ['HEAD', 'OPTIONS']) {
    const a = await request(port, { method, path: '/healthz/ready' });
    assert.equal(a.status, 200, method);
    assert.equal(a.body, '', `${method} has no body`);
  }
  // Probes answer whatever Host a load balancer uses.
  assert.equal((await request(port, { path: '/healthz/live', headers: { Host: '10.9.8.7:1234' } })).status, 200);
});

test('/metrics: the Prometheus text format with redis_exporter\'s sentinel families and ours', { skip }, async () => {
  const t = topo();
  const a = await request(httpPorts[0]!, { path: '/metrics' });
  assert.equal(a.status, 200);
  assert.equal(a.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const addr = `127.0.0.1:${t.master.port}`;
  const expectLines = [
    'redis_sentinel_masters 1',
    'redis_sentinel_tilt 0',
    'redis_sentinel_running_scripts 0',
    'redis_sentinel_scripts_queue_length 0',
    `redis_sentinel_master_status{master_name="mymaster",master_address="${addr}",master_status="ok"} 1`,
    `redis_sentinel_master_slaves{master_name="mymaster",master_address="${addr}"} 2`,
    `redis_sentinel_master_sentinels{master_name="mymaster",master_address="${addr}"} 3`,
    `redis_sentinel_master_ok_slaves{master_name="mymaster",master_address="${addr}"} 2`,
    `redis_sentinel_master_ok_sentinels{master_name="mymaster",master_address="${addr}"} 3`,
    'redis_sentinel_master_ckquorum_status{master_name="mymaster",message="OK 3 usable Sentinels. Quorum and failover authorization can be reached"} 1',
    `redis_sentinel_master_setting_ckquorum{master_name="mymaster",master_address="${addr}"} 2`,
    `redis_sentinel_master_setting_down_after_milliseconds{master_name="mymaster",master_address="${addr}"} 2000`,
  ];
  const lines = new Set(a.body.split('\n'));
  for (const l of expectLines) assert.ok(lines.has(l), `missing: ${l}`);
  for (const family of ['redis_sentinel_replica_lag_bytes{', 'redis_sentinel_build_info{', 'redis_sentinel_current_epoch ', 'redis_sentinel_link_connected{', 'redis_sentinel_master_last_ok_ping_reply_seconds{', 'process_resident_memory_bytes ', 'nodejs_eventloop_lag_seconds ']) {
    assert.ok(a.body.split('\n').some((l) => l.startsWith(family)), `missing family ${family}`);
  }
});

test('/metrics passes promtool check metrics (but for the names compatibility forces)', { skip: noPromtool }, async () => {
  const a = await request(httpPorts[1]!, { path: '/metrics' });
  const r = lint(a.body);
  assert.ok(r.status === 0 || r.status === 3, `promtool exit ${r.status}: ${r.findings.join('\n')}`);
  assert.deepEqual(r.findings, []);
});

test('guards: unknown Host 403, unknown path 404, wrong method 405 with Allow, long target 414, malformed request 400; all JSON', { skip }, async () => {
  const port = httpPorts[0]!;
  const evil = await request(port, { path: '/metrics', headers: { Host: 'evil.example:80' } });
  assert.equal(evil.status, 403);
  assert.match(JSON.parse(evil.body).error, /unknown Host/);
  assert.equal((await request(port, { path: '/metrics', headers: { Host: `localhost:${port}` } })).status, 200);
  const nope = await request(port, { path: '/nope' });
  assert.equal(nope.status, 404);
  assert.equal(nope.headers['content-type'], 'application/json; charset=utf-8');
  const post = await request(port, { method: 'POST', path: '/metrics' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD');
  assert.equal((await request(port, { path: `/metrics?${'x'.repeat(5000)}` })).status, 414);
  const raw = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'));
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('close', () => resolve(got));
  });
  assert.match(raw, /^HTTP\/1\.1 400 /);
  // Still serving.
  assert.equal((await request(port, { path: '/healthz/live' })).status, 200);
});

test('the config rewrite keeps http-port', { skip }, async () => {
  const s = topo().sentinels[2]!;
  assert.match(await redisCli(s.port, 'sentinel', 'flushconfig'), /OK/);
  assert.match(s.conf(), new RegExp(`^http-port ${httpPorts[2]}$`, 'm'));
});

test('a port in use is a clear start-up error (exit 1)', { skip }, () => {
  const dir = tempDir('http-busy-');
  try {
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(conf, `port 0\nbind 127.0.0.1\nhttp-port ${httpPorts[0]}\nsentinel monitor m 127.0.0.1 ${topo().master.port} 1\n`);
    const r = spawnSync(SENTINEL_TS, [conf], { encoding: 'utf8', timeout: 15000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`Could not create HTTP listening socket 127\\.0\\.0\\.1:${httpPorts[0]}: bind: Address already in use, aborting`));
  } finally {
    removeTempDir(dir);
  }
});

test('with requirepass, /metrics needs HTTP Basic credentials of a sentinel user; the probes do not', { skip }, async () => {
  const httpPort = await freePort();
  const s = await startSentinel({ lines: ['requirepass s3cret', `http-port ${httpPort}`, `sentinel monitor m 127.0.0.1 ${topo().master.port} 1`] });
  try {
    const none = await request(httpPort, { path: '/metrics' });
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm="sentinel-ts"/);
    const basic = (user: string, pass: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    assert.equal((await request(httpPort, { path: '/metrics', headers: basic('default', 'wrong') })).status, 401);
    assert.equal((await request(httpPort, { path: '/metrics', headers: basic('default', 's3cret') })).status, 200);
    assert.equal((await request(httpPort, { path: '/metrics', headers: basic('', 's3cret') })).status, 200);
    assert.equal((await request(httpPort, { path: '/healthz/live' })).status, 200);
    // A user without the right to run INFO may not read the metrics.
    assert.match(await redisCli(s.port, '-a', 's3cret', '--no-auth-warning', 'acl', 'setuser', 'viewer', 'on', '>pw', '+ping'), /OK/);
    assert.equal((await request(httpPort, { path: '/metrics', headers: basic('viewer', 'pw') })).status, 403);
  } finally {
    await s.stop();
  }
});

test('http-tls yes: HTTPS with the sentinel\'s certificate (and no plain HTTP on that port); a TILT is counted by cause', { skip }, async () => {
  const certs = makeCerts();
  const httpPort = await freePort();
  const s = await startSentinel({
    lines: [`tls-port ${await freePort()}`, `tls-cert-file ${certs.cert}`, `tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, `http-port ${httpPort}`, 'http-tls yes', `sentinel monitor m 127.0.0.1 ${topo().master.port} 1`],
  });
  try {
    const get = (path: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: httpPort, path, ca: fs.readFileSync(certs.ca) }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
      });
    assert.equal((await get('/healthz/live')).status, 200);
    await assert.rejects(request(httpPort, { path: '/healthz/live' }));
    // SENTINEL DEBUG can make the timer look stalled: TILT, counted with its cause.
    assert.match(await redisCli(s.port, 'sentinel', 'debug', 'tilt-trigger', '1'), /OK/);
    await waitFor(async () => (await get('/metrics')).body.includes('redis_sentinel_tilt_entries_total{cause="timer-stall"}'), 10000, 'a TILT counted');
  } finally {
    await s.stop();
  }
});

test('a real Prometheus server scrapes a sentinel and answers a query for redis_sentinel_masters', { skip: noPrometheus }, async () => {
  const dir = tempDir('prometheus-');
  const port = await freePort();
  const conf = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(conf, ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: sentinel', '    static_configs:', `      - targets: ['127.0.0.1:${httpPorts[0]}']`, ''].join('\n'));
  const child = spawnTracked('prometheus', [`--config.file=${conf}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  try {
    const value = await waitFor(async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=redis_sentinel_masters`);
        const j = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
        return j.data?.result?.[0]?.value[1] ?? null;
      } catch {
        return null;
      }
    }, 30000, 'Prometheus to scrape the sentinel', 250);
    assert.equal(value, '1');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    removeTempDir(dir);
  }
});

test('the JSON API: masters, one master, is-master for the master and a replica, events since an id', { skip }, async () => {
  const t = topo();
  const port = httpPorts[0]!;
  const list = JSON.parse((await request(port, { path: '/v1/masters' })).body) as { masters: { name: string; address: string; sentinels: number }[] };
  assert.deepEqual(list.masters.map((m) => [m.name, m.address, m.sentinels]), [['mymaster', `127.0.0.1:${t.master.port}`, 3]]);
  const one = await request(port, { path: '/v1/masters/mymaster' });
  assert.equal(one.status, 200);
  const m = JSON.parse(one.body) as { port: number; replicas: { port: string }[]; sentinels: unknown[]; config_epoch: number };
  assert.equal(m.port, t.master.port);
  assert.deepEqual(m.replicas.map((r) => Number(r.port)).sort(), t.replicas.map((r) => r.port).sort());
  assert.equal(m.sentinels.length, 2);
  assert.equal((await request(port, { path: '/v1/masters/nope' })).status, 404);
  const isMaster = (p: number, addr: number, method = 'GET'): Promise<Answer> => request(p, { method, path: `/v1/masters/mymaster/is-master?addr=127.0.0.1:${addr}` });
  assert.equal((await isMaster(port, t.master.port)).status, 200);
  assert.equal((await isMaster(port, t.replicas[0]!.port)).status, 503);
  assert.equal((await isMaster(port, t.master.port, 'OPTIONS')).status, 200);
  assert.equal((await isMaster(port, t.replicas[0]!.port, 'HEAD')).status, 503);
  assert.equal((await request(port, { path: '/v1/masters/mymaster/is-master' })).status, 400);
  const ev = JSON.parse((await request(port, { path: '/v1/events?since=0' })).body) as { last_id: number; events: { id: number; event: string }[] };
  assert.ok(ev.events.some((e) => e.event === '+monitor'), 'the +monitor event is in the history');
  assert.deepEqual(ev.events.map((e) => e.id), [...ev.events.keys()].map((i) => i + 1));
  const later = JSON.parse((await request(port, { path: `/v1/events?since=${ev.last_id}` })).body) as { events: unknown[] };
  assert.ok(later.events.length <= 1);
  assert.equal((await request(port, { path: '/v1/events?since=x' })).status, 400);
  // A reconnecting stream client (Last-Event-ID) gets what followed that id first.
  const replay = eventStream(port, 0);
  try {
    await waitFor(() => replay.events.find((e) => e.data.event === '+monitor'), 5000, '+monitor replayed on the stream');
    assert.equal(replay.events[0]!.id, String(ev.events[0]!.id));
  } finally {
    replay.close();
  }
});

test('POST failover: a dry run (no credentials on an open sentinel) names a replica and moves nothing; writes need JSON from this origin', { skip }, async () => {
  const t = topo();
  const port = httpPorts[1]!;
  const epoch = JSON.parse((await request(port, { path: '/v1/masters/mymaster' })).body).config_epoch as number;
  const dry = await postJson(port, '/v1/masters/mymaster/failover', { mode: 'coordinated', dry_run: true });
  assert.equal(dry.status, 200, dry.body);
  const plan = JSON.parse(dry.body) as { wouldStart: boolean; selected: string; mode: string };
  assert.equal(plan.wouldStart, true);
  assert.equal(plan.mode, 'coordinated');
  assert.ok(t.replicas.some((r) => plan.selected === `127.0.0.1:${r.port}`), plan.selected);
  assert.equal(JSON.parse((await request(port, { path: '/v1/masters/mymaster' })).body).config_epoch, epoch);
  assert.equal(Number((await redisCli(t.sentinels[1]!.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]), t.master.port);
  // CSRF and bad requests: refused, nothing started.
  const path = '/v1/masters/mymaster/failover';
  assert.equal((await request(port, { method: 'POST', path, headers: { 'Content-Type': 'text/plain' }, body: '{"dry_run":true}' })).status, 415);
  assert.equal((await postJson(port, path, { dry_run: true }, { Origin: 'http://evil.example' })).status, 403);
  assert.equal((await postJson(port, path, { dry_run: true }, { 'Sec-Fetch-Site': 'cross-site' })).status, 403);
  assert.equal((await postJson(port, path, { dry_run: true }, { Origin: `http://127.0.0.1:${port}`, Host: `127.0.0.1:${port}` })).status, 200);
  assert.equal((await postJson(port, path, '{not json')).status, 400);
  assert.equal((await postJson(port, path, { mode: 'fast' })).status, 400);
  assert.equal((await postJson(port, path, { dry_run: true, extra: 1 })).status, 400);
  assert.equal((await postJson(port, path, { to: 'nowhere' })).status, 400);
  assert.equal((await postJson(port, path, 'x'.repeat(20000))).status, 413);
  assert.equal((await postJson(port, '/v1/masters/nope/failover', { dry_run: true })).status, 404);
  assert.equal((await request(port, { path })).status, 405);
  // TO an unknown replica: the command's own refusal, as JSON.
  const bad = await postJson(port, path, { to: '127.0.0.1:1' });
  assert.equal(bad.status, 409);
  assert.match(JSON.parse(bad.body).error, /is not a known replica/);
  assert.equal(JSON.parse((await request(port, { path: '/v1/masters/mymaster' })).body).config_epoch, epoch);
});

test('kill -9 of the master: the event stream shows +switch-master, is-master flips everywhere, /v1/failovers and the counter name it', { skip }, async () => {
  const t = topo();
  const streams = httpPorts.map((p) => eventStream(p));
  await waitFor(() => streams.every((s) => s.events.length >= 0), 1000, 'streams');
  await t.master.kill9();
  const total = async (): Promise<number> => {
    let n = 0;
    for (const p of httpPorts) {
      const body = (await request(p, { path: '/metrics' })).body;
      for (const l of body.split('\n')) if (l.startsWith('redis_sentinel_failovers_total{') && l.includes('result="success"')) n += Number(l.split(' ').pop());
    }
    return n;
  };
  await waitFor(async () => ((await total()) >= 1 ? true : null), 30000, 'a failover counted on some sentinel');
  // The leader timed its phases and counted its election; every sentinel that voted counted it.
  let phases = 0;
  let won = 0;
  let votes = 0;
  for (const p of httpPorts) {
    for (const l of (await request(p, { path: '/metrics' })).body.split('\n')) {
      const n = Number(l.split(' ').pop());
      if (l.startsWith('redis_sentinel_failover_phase_seconds_count{phase="election"}')) phases += n;
      if (l.startsWith('redis_sentinel_elections_won_total{')) won += n;
      if (l.startsWith('redis_sentinel_votes_total{')) votes += n;
    }
  }
  assert.ok(phases >= 1 && won >= 1 && votes >= 2, `phases ${phases}, elections won ${won}, votes ${votes}`);
  const newPort = Number((await redisCli(t.sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]);
  assert.notEqual(newPort, t.master.port);
  await waitFor(async () => (await request(httpPorts[0]!, { path: '/metrics' })).body.includes(`master_address="127.0.0.1:${newPort}",master_status="ok"} 1`), 15000, 'master_status at the new address');
  for (const [i, s] of streams.entries()) {
    await waitFor(() => s.events.find((e) => e.data.event === '+switch-master' && e.data.message.endsWith(` 127.0.0.1 ${newPort}`)), 15000, `+switch-master on stream ${i}`);
    s.close();
  }
  for (const p of httpPorts) {
    await waitFor(async () => (await request(p, { path: `/v1/masters/mymaster/is-master?addr=127.0.0.1:${newPort}` })).status === 200, 20000, `is-master 200 for the new master on ${p}`);
    assert.equal((await request(p, { path: `/v1/masters/mymaster/is-master?addr=127.0.0.1:${t.master.port}` })).status, 503);
    const f = JSON.parse((await request(p, { path: '/v1/failovers' })).body) as { failovers: { newMaster: string; result: string; trigger: string }[] };
    assert.ok(f.failovers.some((x) => x.newMaster === `127.0.0.1:${newPort}`), JSON.stringify(f));
  }
});
