/**
 * Table tests for src/http/guard.ts and src/http/health.ts: the Host allowlist (DNS
 * rebinding), the cross-origin rule for writes, HTTP Basic against the sentinel's users, and
 * readiness. Rules from issue 13 and the observability digest (sections 4 and 7).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AclUsers } from '../../src/acl/users.js';
import { allowedHosts, authenticate, crossOriginRefusal, hostAllowed, hostOf } from '../../src/http/guard.js';
import { readinessReasons } from '../../src/http/health.js';

test('hostOf: host part of a Host header, lower case, IPv6 without brackets; junk is null', () => {
  const rows: [string, string | null][] = [
    ['localhost:8080', 'localhost'],
    ['LOCALHOST', 'localhost'],
    ['127.0.0.1:1', '127.0.0.1'],
    ['[::1]:9000', '::1'],
    ['[::1]', '::1'],
    ['evil.example', 'evil.example'],
    ['', null],
    ['a b', null],
    ['host:port', null],
  ];
  for (const [h, want] of rows) assert.equal(hostOf(h), want, h);
});

const DIGEST7 = 'digest 7.3 "Check Host against localhost, 127.0.0.1, [::1] and configured names on every request"';
test(DIGEST7, () => {
  const wildcard = allowedHosts(['*', '-::*']);
  assert.deepEqual([...wildcard].sort(), ['127.0.0.1', '::1', 'localhost']);
  const bound = allowedHosts(['10.0.0.5', '-::1'], ['sentinel.internal']);
  const rows: [string | undefined, boolean][] = [
    [undefined, true], // HTTP/1.0 without Host: a probe, not a browser
    ['localhost:26380', true],
    ['10.0.0.5:26380', true],
    ['sentinel.internal', true],
    ['evil.example', false],
    ['10.0.0.6:26380', false],
    ['localhost.evil.example', false],
  ];
  for (const [h, want] of rows) assert.equal(hostAllowed(h, bound), want, String(h));
});

test('digest 7.4 (Go CrossOriginProtection): Sec-Fetch-Site first, then an exact Origin, no header = not a browser', () => {
  const rows: [{ origin?: string; secFetchSite?: string; host?: string }, boolean][] = [
    [{}, true],
    [{ secFetchSite: 'same-origin' }, true],
    [{ secFetchSite: 'none' }, true],
    [{ secFetchSite: 'cross-site' }, false],
    [{ secFetchSite: 'same-site' }, false],
    [{ origin: 'http://localhost:8080', host: 'localhost:8080' }, true],
    [{ origin: 'http://evil.example', host: 'localhost:8080' }, false],
    [{ origin: 'http://localhost:8080.evil.example', host: 'localhost:8080' }, false],
    [{ origin: 'null', host: 'localhost:8080' }, false],
  ];
  for (const [h, allowed] of rows) assert.equal(crossOriginRefusal(h) === null, allowed, JSON.stringify(h));
});

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

test('issue 13.5: an open sentinel asks no credentials; otherwise Basic against its users and their permissions', () => {
  const open = new AclUsers();
  assert.deepEqual(authenticate(open, undefined, 'info'), { ok: true, user: 'default' });
  const locked = new AclUsers('pw');
  assert.equal(locked.setUser('viewer', ['on', '>v', '+ping']), null);
  const rows: [string | undefined, number | 'ok'][] = [
    [undefined, 401],
    ['Bearer x', 401],
    [basic('default', 'nope'), 401],
    [basic('nobody', 'pw'), 401],
    [basic('default', 'pw'), 'ok'],
    [basic('', 'pw'), 'ok'],
    [basic('viewer', 'v'), 403],
  ];
  for (const [header, want] of rows) {
    const r = authenticate(locked, header, 'info');
    assert.equal(r.ok ? 'ok' : r.status, want, String(header));
  }
  assert.equal(authenticate(locked, basic('viewer', 'v'), 'ping').ok, true);
});

test('issue 13.3: ready = not in TILT, every master passes CKQUORUM, its INFO is fresh', () => {
  const m = { name: 'm', quorumOk: true, usable: 3, infoAgeMs: 1000, infoSeen: true };
  assert.deepEqual(readinessReasons({ tilt: false, masters: [m], infoFreshMs: 30000 }), []);
  assert.deepEqual(readinessReasons({ tilt: true, masters: [m], infoFreshMs: 30000 }), ['in TILT mode']);
  assert.deepEqual(readinessReasons({ tilt: false, masters: [{ ...m, quorumOk: false, usable: 1 }], infoFreshMs: 30000 }), ['m: CKQUORUM fails (1 usable sentinels)']);
  assert.deepEqual(readinessReasons({ tilt: false, masters: [{ ...m, infoSeen: false }], infoFreshMs: 30000 }), ['m: no INFO from the master yet']);
  assert.deepEqual(readinessReasons({ tilt: false, masters: [{ ...m, infoAgeMs: 40000 }], infoFreshMs: 30000 }), ["m: the master's INFO is 40000 ms old"]);
  assert.deepEqual(readinessReasons({ tilt: false, masters: [], infoFreshMs: 30000 }), []);
});
