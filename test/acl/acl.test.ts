/**
 * The ACL model on its own: rules, descriptions, ACL files, the log's length limit. The same
 * behaviours are checked byte for byte against redis-sentinel in test/integration/acl.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AclError } from '../../src/util/errors.js';
import { ACL_CATEGORIES } from '../../src/acl/selector.js';
import { AclUser, applyRule, applyRules, mergeSelectorArgs, sha256 } from '../../src/acl/user.js';
import { AclUsers } from '../../src/acl/users.js';
import { parseAclFile } from '../../src/acl/file.js';
import { AclLog } from '../../src/acl/log.js';
import { prng } from '../config/helpers.js';
import { quoteArg, splitArgs } from '../../src/util/split-args.js';

const user = (...rules: string[]): AclUser => {
  const u = new AclUser('u');
  for (const r of rules) applyRule(u, r);
  return u;
};

const reasonOf = (rules: string[]): string => {
  try {
    user(...rules);
    return 'accepted';
  } catch (e) {
    assert.ok(e instanceof AclError);
    return e.reason;
  }
};

test('rules: key permissions merge, duplicates are dropped, patterns after * are refused', () => {
  assert.equal(user('%R~a', '%W~a', '~b', '~b', '&c', '&c').rulesText(), 'off ~a ~b resetchannels &c -@all');
  assert.equal(user('%RW~x').keyPatterns().join(), '~x');
  assert.equal(reasonOf(['allkeys', '~y']), 'EEXIST');
  assert.equal(reasonOf(['allchannels', '&y']), 'EISDIR');
  assert.equal(reasonOf(['%X~a']), 'EINVAL');
  assert.equal(reasonOf(['%RR~a']), 'EINVAL');
  assert.equal(reasonOf(['<missing']), 'ENODEV');
  assert.equal(reasonOf([`!${'0'.repeat(64)}`]), 'ENODEV');
  assert.equal(reasonOf(['#ABC']), 'EBADMSG');
  assert.equal(reasonOf(['+client|']), 'EINVAL');
  assert.equal(reasonOf(['+client|nosuch']), 'ENOENT');
  assert.equal(reasonOf(['+client|kill|x']), 'ECHILD');
  assert.equal(reasonOf(['+@nosuch']), 'ENOENT');
  assert.equal(reasonOf(['what']), 'EINVAL');
  assert.equal(reasonOf(['', 'on']), 'accepted');
});

test('passwords keep their order; nopass and resetpass clear them; a new password ends nopass', () => {
  const u = user('on', '>b', '>a', '>b');
  assert.deepEqual(u.passwords, [sha256('b'), sha256('a')]);
  applyRule(u, '<b');
  assert.deepEqual(u.passwords, [sha256('a')]);
  applyRule(u, 'nopass');
  assert.equal(u.checkPassword('anything'), true);
  applyRule(u, '>z');
  assert.equal(u.nopass, false);
  assert.equal(u.checkPassword('anything'), false);
  assert.equal(u.checkPassword('z'), true);
  applyRule(u, 'off');
  assert.equal(u.checkPassword('z'), false, 'a disabled user cannot authenticate');
});

test('reset follows acl-pubsub-default; new users too', () => {
  const users = new AclUsers();
  users.pubsubDefault = 'allchannels';
  users.setUser('n', ['on']);
  assert.equal(users.setUser('x', ['&x'])?.kind, 'rule', 'a pattern after the default &*');
  users.setUser('r', ['on', 'resetchannels', '&x', 'reset']);
  assert.equal(users.get('n')!.describe(), 'user n on &* -@all');
  assert.equal(users.get('r')!.describe(), 'user r off sanitize-payload &* -@all');
});

test('a failing SETUSER changes nothing, and the failing rule is named', () => {
  const users = new AclUsers();
  users.setUser('a', ['on', '>p']);
  const before = users.get('a')!.describe();
  const failure = users.setUser('a', ['off', '~*', '~x']);
  assert.equal(failure?.kind === 'rule' && failure.rule, '~x');
  assert.equal(users.get('a')!.describe(), before);
  assert.deepEqual(users.setUser('a', ['on', '(+ping', '~x']), { kind: 'unclosed', at: '(+ping' });
  assert.equal(users.get('a')!.describe(), before);
});

test('config users: default is reset before its line applies (redis-sentinel then shows sanitize-payload)', () => {
  const users = new AclUsers('secret');
  users.loadConfigured([['default', 'on', 'nopass', '~*', '+@all'], ['b', 'on']]);
  assert.equal(users.get('default')!.describe(), 'user default on nopass sanitize-payload ~* resetchannels +@all');
  assert.deepEqual(
    users.list().map((u) => u.name),
    ['b', 'default'],
  );
});

test('ACL files: every problem is reported, nothing loads unless all is well; default is added when missing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-ts-acl-'));
  try {
    const f = path.join(dir, 'users.acl');
    fs.writeFileSync(f, '\n  user a on >x  \r\nuser a off\nuser\nuser b on +nosuch +@nosuch\nuser c <gone <also\n');
    const bad = parseAclFile(f, 'resetchannels');
    assert.ok('error' in bad);
    assert.equal(
      bad.error,
      `WARNING: Duplicate user 'a' found on line 3. ${f}:4 should start with user keyword followed by the username. ` +
        `${f}:5: Error in applying operation '+nosuch': Unknown command or category name in ACL. ` +
        `${f}:5: Error in applying operation '+@nosuch': Unknown command or category name in ACL. ` +
        `${f}:6: The password you are trying to remove from the user does not exist. ` +
        'WARNING: ACL errors detected, no change to the previously active ACL rules was performed',
    );
    fs.writeFileSync(f, 'user a on >x ~k\n');
    const good = parseAclFile(f, 'resetchannels');
    assert.ok('users' in good);
    const users = new AclUsers('pw');
    users.replaceAll(good.users);
    assert.equal(users.renderFile(), `user a on #${sha256('x')} ~k resetchannels -@all\nuser default on nopass ~* &* +@all\n`);
    users.saveFile(f);
    assert.equal(fs.readFileSync(f, 'utf8'), users.renderFile());
    // A UTF-8 password in the file matches the same password sent with AUTH.
    fs.writeFileSync(f, 'user u on >pässwörd\n');
    const utf8 = parseAclFile(f, 'resetchannels');
    assert.ok('users' in utf8 && utf8.users[0]!.checkPassword('pässwörd'));
    const missing = parseAclFile(path.join(dir, 'none'), 'resetchannels');
    assert.ok('error' in missing && missing.error.endsWith(': No such file or directory'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ACL LOG keeps at most acllog-max-len entries, newest first; 0 keeps none', () => {
  const log = new AclLog(2);
  for (const obj of ['a', 'b', 'c']) log.add('command', obj, 'u', '', 0);
  assert.deepEqual(
    log.list(10).map((e) => e.object),
    ['c', 'b'],
  );
  const none = new AclLog(0);
  none.add('auth', 'auth', 'u', '', 0);
  assert.equal(none.size, 0);
});

test('selectors: arguments split inside (...) are joined; any selector may allow a command, with all its channels', () => {
  assert.deepEqual(mergeSelectorArgs(['on', '(+ping', '&a)', '(+info)', 'x']), { rules: ['on', '(+ping &a)', '(+info)', 'x'] });
  assert.deepEqual(mergeSelectorArgs(['(+ping', '&a']), { unclosedAt: 0 });
  const u = user('+subscribe', '&a', '(+subscribe &b* +publish)');
  assert.equal(u.mayRun('publish'), true);
  assert.equal(u.mayRun('info'), false);
  assert.equal(u.deniedChannel('subscribe', ['a'], false), null);
  assert.equal(u.deniedChannel('subscribe', ['b1', 'b2'], false), null);
  // No single selector allows both: the furthest channel any selector reached is named.
  assert.equal(u.deniedChannel('subscribe', ['a', 'b1'], false), 'b1');
  assert.equal(u.deniedChannel('publish', ['a'], false), 'a');
  assert.equal(u.allowsSubscription('b9', false), true);
  assert.equal(u.allowsSubscription('c', false), false);
  assert.equal(u.rulesText(), 'off resetchannels &a -@all +subscribe (resetchannels &b* -@all +subscribe +publish)');
  assert.equal(reasonOf(['(on)']), 'EINVAL');
  applyRule(u, 'clearselectors');
  assert.equal(u.mayRun('publish'), false);
});

test('property: what ACL LIST and the config rewrite write loads back to the same user (seeded random rules)', () => {
  const rand = prng(20261203);
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  // Patterns hold anything but blanks (refused): quotes and parentheses included, which redis
  // prints raw in selectors, making descriptions it cannot load back.
  const word = (): string => Array.from({ length: 1 + rand(6) }, () => pick([...'abcxyz*?[]^-_:.!#&~%|()\\\'"01'])).join('');
  const commandNames = ['ping', 'info', 'sentinel', 'sentinel|masters', 'sentinel|set', 'publish', 'subscribe', 'acl|whoami', 'client|kill', 'auth'];
  const selectorRule = (): string =>
    pick([
      () => `~${word()}`,
      () => `%${pick(['R', 'W', 'RW', 'WR'])}~${word()}`,
      () => `&${word()}`,
      () => `${pick(['+', '-'])}${pick(commandNames)}`,
      () => `${pick(['+', '-'])}@${pick(ACL_CATEGORIES)}`,
      () => pick(['allkeys', 'resetkeys', 'allchannels', 'resetchannels', 'allcommands', 'nocommands', '~*', '&*', '+@all', '-@all']),
    ])();
  const userRule = (): string =>
    pick([
      selectorRule,
      selectorRule,
      () => pick(['on', 'off', 'nopass', 'resetpass', 'sanitize-payload', 'skip-sanitize-payload', 'clearselectors', 'reset']),
      () => `>${word()}`,
      () => `#${sha256(word())}`,
      () => `(${Array.from({ length: 1 + rand(4) }, selectorRule).join(' ')})`,
    ])();
  for (let i = 0; i < 2000; i++) {
    const u = new AclUser('u', i % 2 ? 'allchannels' : 'resetchannels');
    for (let k = rand(12); k > 0; k--) {
      try {
        applyRule(u, userRule(), i % 2 ? 'allchannels' : 'resetchannels');
      } catch (e) {
        assert.ok(e instanceof AclError, String(e));
      }
    }
    const text = u.rulesText();
    // As the sentinel writes a `user` line and reads it back (a config `default` is reset first).
    const again = new AclUser('u');
    assert.equal(applyRules(again, text.split(' ')), null, text);
    assert.equal(again.rulesText(), text, `case ${i}`);
    // Through a config file line, as the rewrite writes it and the loader splits it.
    const line = splitArgs(`user u ${text.split(' ').map(quoteArg).join(' ')}`);
    assert.ok(line, text);
    const fromConfig = new AclUser('u');
    assert.equal(applyRules(fromConfig, line.slice(2)), null, text);
    assert.equal(fromConfig.rulesText(), text);
    // As ACL LIST / an ACL file holds it.
    const users = new AclUsers();
    users.loadConfigured([['u', ...text.split(' ')]]);
    assert.equal(users.get('u')!.rulesText(), text);
    for (const cmd of commandNames) assert.equal(again.mayRun(cmd), u.mayRun(cmd), `${cmd} in case ${i}: ${text}`);
  }
});
