/**
 * `--check-config`: every problem the start-up would meet, each with its file and line, in
 * reading order; OK for a good file; the file never written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { checkConfig, runCheckConfig } from '../../src/cli/check-config.js';
import { makeCerts } from '../helpers/certs.js';
import { ROOT } from '../helpers/paths.js';
import { box, writeConf } from './helpers.js';

const MONITOR = 'sentinel monitor mymaster 127.0.0.1 6379 2';
const NOBODY = 65534;

function check(text: string, args: string[] = []): { dir: string; file: string; problems: string[] } {
  const dir = box();
  const file = writeConf(dir, text);
  return { dir, file, problems: checkConfig('sentinel.conf', args, dir).problems };
}

function capture(): { out: Writable; text: () => string } {
  let s = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      s += chunk.toString();
      cb();
    },
  });
  return { out, text: () => s };
}

test('a good file: OK, exit 0, the file untouched', () => {
  const dir = box();
  const text = `port 26379\n${MONITOR}\nsentinel down-after-milliseconds mymaster 5000\nmaxclients 100\n`;
  const file = writeConf(dir, text);
  const before = fs.statSync(file);
  const { out, text: printed } = capture();
  assert.equal(runCheckConfig(['sentinel.conf'], out, dir), 0);
  assert.equal(printed(), 'OK\n');
  assert.equal(fs.readFileSync(file, 'utf8'), text);
  assert.equal(fs.statSync(file).mtimeMs, before.mtimeMs);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['data', 'logs', 'sentinel.conf', 'sentinel_0'], 'no temp file left behind');
});

test('the line is named: down-after-milliseconds -5 on line 3', () => {
  const { file, problems } = check(`port 26379\n${MONITOR}\nsentinel down-after-milliseconds mymaster -5\n`);
  assert.deepEqual(problems, [`${file}:3: negative or zero time parameter. >>> 'sentinel down-after-milliseconds mymaster -5'`]);
});

test('every problem, in reading order, not only the first', () => {
  const lines = [
    'port 26379', // 1
    MONITOR, // 2
    'bogus-directive 1', // 3
    'requirepas x', // 4
    'http-portt 1', // 5
    'maxclients 100', // 6: good
    'sentinel parallel-syncs nomaster 1', // 7
    'loglevel loud', // 8
    'sentinel down-after-milliseconds mymaster 0', // 9
    'port 99999', // 10
  ];
  const { problems } = check(lines.join('\n') + '\n');
  const at = problems.map((p) => Number(/:(\d+): /.exec(p)?.[1]));
  assert.deepEqual(at, [3, 4, 5, 7, 8, 9, 10], problems.join('\n'));
  for (const i of [0, 1, 2]) assert.match(problems[i]!, /Bad directive or wrong number of arguments/);
  assert.match(problems[3]!, /No such master with specified name/);
  assert.match(problems[4]!, /must be one of the following: debug, verbose, notice, warning, nothing/);
});

test("a refused monitor line is reported once, not again for each of the master's lines", () => {
  const { problems } = check(`sentinel monitor m 127.0.0.1 6379 0\nsentinel down-after-milliseconds m 1000\nsentinel failover-timeout m 1000\n`);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /:1: Quorum must be 1 or greater/);
});

test('a duplicate monitor line does not hide the first master\'s later problems', () => {
  const { problems } = check(`${MONITOR}\n${MONITOR}\nsentinel down-after-milliseconds mymaster -1\n`);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0]!, /:2: Duplicate master name/);
  assert.match(problems[1]!, /:3: negative or zero time parameter/);
});

test('problems in an included file name that file and its line', () => {
  const dir = box();
  writeConf(dir, `# extra\nbogus 1\n`, 'extra.conf');
  writeConf(dir, `${MONITOR}\ninclude extra.conf\nsentinel down-after-milliseconds mymaster -5\n`);
  const { problems } = checkConfig('sentinel.conf', [], dir);
  assert.deepEqual(
    problems.map((p) => p.split(': ')[0]),
    [`${path.join(dir, 'extra.conf')}:2`, `${path.join(dir, 'sentinel.conf')}:3`],
  );
});

test('command-line options are checked as lines after the file', () => {
  const { problems } = check(`${MONITOR}\n`, ['--port', 'abc']);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /:3: argument couldn't be parsed into an integer >>> 'port "abc"'/);
});

test('a missing file: one problem, exit 1', () => {
  const dir = box();
  const { out, text } = capture();
  assert.equal(runCheckConfig(['nothere.conf'], out, dir), 1);
  assert.match(text(), /can't open config file '.*nothere\.conf': No such file or directory/);
  assert.match(text(), /1 problem found/);
});

test('no file given: usage, exit 1', () => {
  const { out, text } = capture();
  assert.equal(runCheckConfig([], out), 1);
  assert.match(text(), /^Usage: sentinel-ts --check-config/);
});

test('a file the sentinel could not rewrite is a problem', (t) => {
  const dir = box();
  const file = writeConf(dir, `${MONITOR}\n`);
  fs.chmodSync(file, 0o444);
  if (process.getuid?.() !== 0) {
    const { problems } = checkConfig('sentinel.conf', [], dir);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /is not writable: Permission denied/);
    return;
  }
  // root may write any file: the check runs as nobody instead, as an unprivileged sentinel would.
  fs.chmodSync(dir, 0o755);
  const main = path.join(ROOT, 'dist/src/cli/main.js');
  const r = spawnSync(process.execPath, [main, '--check-config', 'sentinel.conf'], { cwd: dir, uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 20000 });
  if (r.status !== 1 && /EACCES|Cannot find module|permission denied/i.test(`${r.stderr}`)) {
    // The checkout itself is not readable by nobody (a private home): nothing to run as nobody.
    t.skip(`running as root (who may write any file), and ${main} cannot be run as uid ${NOBODY}`);
    return;
  }
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /sentinel\.conf: Sentinel config file .* is not writable: Permission denied/);
});

test('the ACL file: missing or with errors is named at the aclfile line; users in both places refused', () => {
  let r = check(`${MONITOR}\naclfile users.acl\n`);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /:2: The ACL file has errors: .*users\.acl.*No such file or directory/);

  const dir = box();
  fs.writeFileSync(path.join(dir, 'users.acl'), 'user default on nopass ~* &* +@all\nuser alice on >pw +@nonsense\n');
  writeConf(dir, `${MONITOR}\naclfile users.acl\n`);
  const bad = checkConfig('sentinel.conf', [], dir).problems;
  assert.equal(bad.length, 1);
  assert.match(bad[0]!, /:2: The ACL file has errors: .*users\.acl:2: Error in applying operation '\+@nonsense'/);

  fs.writeFileSync(path.join(dir, 'users.acl'), 'user default on nopass ~* &* +@all\n');
  assert.deepEqual(checkConfig('sentinel.conf', [], dir).problems, []);

  r = check(`${MONITOR}\nuser bob on >pw +@all\naclfile users.acl\n`);
  assert.match(r.problems[0]!, /:3: Users are defined both by 'user' lines and in the ACL file/);
});

test('TLS: files are read and the contexts built, relative to dir', () => {
  const certs = makeCerts();
  const good = [MONITOR, `tls-port 26400`, `tls-cert-file ${certs.cert}`, `tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`];
  assert.deepEqual(check(good.join('\n') + '\n').problems, []);

  let r = check([MONITOR, 'tls-port 26400', 'tls-cert-file missing.crt', `tls-key-file ${certs.key}`].join('\n') + '\n');
  assert.equal(r.problems.length, 1, r.problems.join('\n'));
  assert.match(r.problems[0]!, new RegExp(`:2: Failed to configure TLS: '${path.join(r.dir, 'missing.crt')}': No such file or directory`));

  // A key that is not the certificate's key: the context cannot be built.
  const wrongKey = path.join(certs.dir, 'ca.key');
  r = check([MONITOR, 'tls-port 26400', `tls-cert-file ${certs.cert}`, `tls-key-file ${wrongKey}`].join('\n') + '\n');
  assert.equal(r.problems.length, 1, r.problems.join('\n'));
  assert.match(r.problems[0]!, /:2: Failed to configure TLS: .*key values mismatch/);

  r = check([MONITOR, 'tls-port 26400'].join('\n') + '\n');
  assert.match(r.problems[0]!, /:2: TLS needs tls-cert-file and tls-key-file/);
});

test('ports: not listening anywhere, or one port for two listeners', () => {
  assert.match(check(`port 0\n${MONITOR}\n`).problems[0]!, /:1: Configured to not listen anywhere/);
  const r = check(`port 26500\n${MONITOR}\nhttp-port 26500\n`);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /:3: http-port 26500 is also the port/);
});

test('a log file in a directory that does not exist', () => {
  const r = check(`${MONITOR}\nlogfile nodir/sentinel.log\n`);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /:2: Can't open the log file: No such file or directory/);
  assert.equal(fs.existsSync(path.join(r.dir, 'nodir')), false);
  assert.deepEqual(check(`${MONITOR}\nlogfile logs/sentinel.log\n`).problems, []);
});
