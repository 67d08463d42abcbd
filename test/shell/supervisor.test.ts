/** `supervised`: which supervisor is in effect, and the directive's values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supervisorOf } from '../../src/shell/supervisor.js';
import { load, loadError } from '../config/helpers.js';

test('the supervisor in effect, by mode and environment (auto looks, the others do not)', () => {
  const rows: [Parameters<typeof supervisorOf>[0], NodeJS.ProcessEnv, ReturnType<typeof supervisorOf>][] = [
    ['no', { NOTIFY_SOCKET: '/run/x', UPSTART_JOB: 'j' }, null],
    ['systemd', {}, 'systemd'],
    ['upstart', {}, 'upstart'],
    ['auto', {}, null],
    ['auto', { NOTIFY_SOCKET: '/run/systemd/notify' }, 'systemd'],
    ['auto', { UPSTART_JOB: 'sentinel' }, 'upstart'],
    ['auto', { UPSTART_JOB: 'sentinel', NOTIFY_SOCKET: '/run/x' }, 'upstart'],
    ['auto', { NOTIFY_SOCKET: '' }, null],
  ];
  for (const [mode, env, want] of rows) assert.equal(supervisorOf(mode, env), want, `${mode} ${JSON.stringify(env)}`);
});

test('the supervised directive: its four values in any case, others refused with the line', () => {
  assert.equal(load('supervised SYSTEMD\nsentinel monitor m 127.0.0.1 6379 2\n').server.supervised, 'systemd');
  assert.equal(load('sentinel monitor m 127.0.0.1 6379 2\n').server.supervised, 'no');
  const e = loadError('sentinel monitor m 127.0.0.1 6379 2\nsupervised launchd\n');
  assert.equal(e.line, 2);
  assert.equal(e.reason, 'argument(s) must be one of the following: upstart, systemd, auto, no');
});
