/**
 * ACL users of the sentinel: who may connect (passwords, on/off), and which commands and
 * channels they may use. The rule language, the error texts and the way a user is described
 * (ACL LIST, `user` lines, ACL files) are redis 7.0's.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { COMMANDS } from '../commands/table.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { AclError, strerror } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { quoteArg, reprArg, splitArgs } from '../util/split-args.js';

export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

/** Key pattern permissions (%R~, %W~, ~ = both). */
const KEY_READ = 1;
const KEY_WRITE = 2;

/** Whether new users and `reset` start with every channel (acl-pubsub-default allchannels). */
export type PubsubDefault = 'resetchannels' | 'allchannels';

/**
 * What a selector allows: commands, key patterns and channels. A user's own rules are its root
 * selector; `(...)` rules add more selectors, and a command is allowed when any one of them
 * allows it together with its channels.
 */
export class AclSelector {
  allCommands = false;
  /** Explicit grants/denials, applied in order after allCommands: [allow, 'cmd' | '@cat']. */
  commandRules: [boolean, string][] = [];
  allKeys = false;
  /** Key pattern -> KEY_READ | KEY_WRITE. */
  keys = new Map<string, number>();
  allChannels = false;
  channels: string[] = [];

  constructor(pubsubDefault: PubsubDefault = 'resetchannels') {
    this.allChannels = pubsubDefault === 'allchannels';
  }

  protected copyRulesFrom(o: AclSelector): void {
    this.allCommands = o.allCommands;
    this.commandRules = o.commandRules.map(([a, w]) => [a, w]);
    this.allKeys = o.allKeys;
    this.keys = new Map(o.keys);
    this.allChannels = o.allChannels;
    this.channels = [...o.channels];
  }

  cloneSelector(): AclSelector {
    const s = new AclSelector();
    s.copyRulesFrom(this);
    return s;
  }

  /** May this selector run `command` (lower-case, `container|sub` for subcommands)? */
  canRun(command: string): boolean {
    let allowed = this.allCommands;
    if (this.commandRules.length === 0) return allowed; // +@all / -@all alone: nothing to look up
    const [top] = command.split('|');
    const spec = COMMANDS.get(top ?? '');
    const sub = command.includes('|') ? spec?.subcommands.get(command.split('|')[1]!) : undefined;
    const categories = new Set([...(spec?.categories ?? []), ...(sub?.categories ?? [])]);
    for (const [allow, what] of this.commandRules) {
      if (what.startsWith('@')) {
        if (what === '@all' || categories.has(what)) allowed = allow;
      } else if (what === command || what === top) {
        allowed = allow;
      }
    }
    return allowed;
  }

  /**
   * May this selector publish to or subscribe to `channel`? A pattern (PSUBSCRIBE) must be one
   * of its patterns literally; a channel must match one of them.
   */
  canUseChannel(channel: string, pattern: boolean): boolean {
    if (this.allChannels) return true;
    return this.channels.some((c) => (pattern ? c === channel : globMatch(c, channel)));
  }

  /** Keys, channels, commands, as redis describes a selector: one rule per token. */
  selectorTokens(): string[] {
    const parts: string[] = [];
    if (this.allKeys) parts.push('~*');
    else parts.push(...this.keyPatterns());
    if (this.allChannels) parts.push('&*');
    else parts.push('resetchannels', ...this.channels.map((c) => `&${c}`));
    parts.push(...this.commandsText().split(' '));
    return parts;
  }

  selectorText(): string {
    return this.selectorTokens().join(' ');
  }

  keyPatterns(): string[] {
    return [...this.keys].map(([p, perm]) => {
      if (perm === KEY_READ) return `%R~${p}`;
      if (perm === KEY_WRITE) return `%W~${p}`;
      // A read-write pattern `*` reached through %RW~* is a pattern, not allkeys: redis prints
      // it as `~*`, which loads back as allkeys and then refuses any pattern after it, so a
      // rewritten config would not load. Written in full, it loads back as what it is.
      return p === '*' ? '%RW~*' : `~${p}`;
    });
  }

  commandsText(): string {
    const rules = this.commandRules.map(([a, w]) => `${a ? '+' : '-'}${w}`);
    return [this.allCommands ? '+@all' : '-@all', ...rules.filter((r) => r !== '+@all' && r !== '-@all')].join(' ');
  }
}

export class AclUser extends AclSelector {
  enabled = false;
  nopass = false;
  /** The payload flag as last set; shown only once set, as redis does. */
  sanitize: '' | 'sanitize-payload' | 'skip-sanitize-payload' = '';
  /** sha256 hex digests of the passwords, in the order they were added. */
  passwords: string[] = [];
  /** Selectors added with `(...)` rules, after the user's own (root) rules. */
  selectors: AclSelector[] = [];

  constructor(
    readonly name: string,
    pubsubDefault: PubsubDefault = 'resetchannels',
  ) {
    super(pubsubDefault);
  }

  clone(): AclUser {
    const u = new AclUser(this.name);
    u.copyRulesFrom(this);
    u.enabled = this.enabled;
    u.nopass = this.nopass;
    u.sanitize = this.sanitize;
    u.passwords = [...this.passwords];
    u.selectors = this.selectors.map((s) => s.cloneSelector());
    return u;
  }

  /** The root rules and then each selector: a command is allowed when one of them allows it. */
  allSelectors(): AclSelector[] {
    return [this, ...this.selectors];
  }

  /** May the user run `command`, with any of its selectors? */
  mayRun(command: string): boolean {
    // Checked for every command a client runs: no array built for the common case.
    return this.canRun(command) || this.selectors.some((s) => s.canRun(command));
  }

  /**
   * The channel that makes `command` on `channels` refused, or null when one selector allows
   * the command and every channel. Like redis, the denial named is the furthest channel any
   * selector got to.
   */
  deniedChannel(command: string, channels: readonly string[], pattern: boolean): string | null {
    let worst = -1;
    for (const s of this.allSelectors()) {
      if (!s.canRun(command)) continue;
      const bad = channels.findIndex((ch) => !s.canUseChannel(ch, pattern));
      if (bad < 0) return null;
      worst = Math.max(worst, bad);
    }
    return worst < 0 ? null : channels[worst]!;
  }

  /** Whether a subscription may stay after a rule change: any selector's channels allow it. */
  allowsSubscription(channel: string, pattern: boolean): boolean {
    return this.allSelectors().some((s) => s.canUseChannel(channel, pattern));
  }

  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    return this.nopass || this.passwords.includes(sha256(password));
  }

  /** The rules, as ACL LIST, `user` lines and ACL files give them (without `user <name>`). */
  rulesText(): string {
    const parts: string[] = [this.enabled ? 'on' : 'off'];
    if (this.nopass) parts.push('nopass');
    if (this.sanitize) parts.push(this.sanitize);
    for (const p of this.passwords) parts.push(`#${p}`);
    parts.push(this.selectorText());
    for (const s of this.selectors) parts.push(`(${s.selectorTokens().map(selectorToken).join(' ')})`);
    return parts.join(' ');
  }

  /** `user <name> <rules>`. */
  describe(): string {
    return `user ${this.name} ${this.rulesText()}`;
  }
}

/**
 * A rule inside `(...)` as written in a description. redis prints it raw, so a pattern holding
 * a quote, or ending with ')', makes a description that does not load back; those few are
 * quoted (the selector's rules are split like a config line when it is parsed).
 */
function selectorToken(rule: string): string {
  return rule.endsWith(')') || rule.startsWith('(') ? reprArg(rule) : quoteArg(rule);
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;
/** redis refuses blanks and NUL in names and patterns. */
const HAS_SPACES = /[\s\0]/;

export function hasSpaces(s: string): boolean {
  return HAS_SPACES.test(s);
}

/**
 * Joins rules split by blanks inside `(...)` back into one selector rule, as redis does for
 * ACL SETUSER arguments, `user` lines and ACL files. A `(` never closed gives the index of the
 * argument that opened it instead.
 */
export function mergeSelectorArgs(args: readonly string[]): { rules: string[] } | { unclosedAt: number } {
  const rules: string[] = [];
  let open = -1;
  let selector = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (open < 0 && a.startsWith('(') && !a.endsWith(')')) {
      open = i;
      selector = a;
      continue;
    }
    if (open >= 0) {
      selector += ` ${a}`;
      if (a.endsWith(')')) {
        rules.push(selector);
        open = -1;
      }
      continue;
    }
    rules.push(a);
  }
  return open >= 0 ? { unclosedAt: open } : { rules };
}

/** Why a list of rules was refused: a `(` never closed, or one rule (after merging selectors). */
export type RulesFailure = { kind: 'unclosed'; at: string } | { kind: 'rule'; rule: string; error: AclError };

/** Applies rules in order (selectors merged first); stops at the first failure and returns it. */
export function applyRules(u: AclUser, args: readonly string[], pubsubDefault: PubsubDefault = 'resetchannels'): RulesFailure | null {
  const merged = mergeSelectorArgs(args);
  if ('unclosedAt' in merged) return { kind: 'unclosed', at: args[merged.unclosedAt]! };
  for (const rule of merged.rules) {
    try {
      applyRule(u, rule, pubsubDefault);
    } catch (e) {
      if (e instanceof AclError) return { kind: 'rule', rule, error: e };
      throw e;
    }
  }
  return null;
}

/** Applies one ACL rule to a user (ACL SETUSER, `user` config lines, ACL files). Throws AclError. */
export function applyRule(u: AclUser, rule: string, pubsubDefault: PubsubDefault = 'resetchannels'): void {
  if (rule === '') return; // an empty rule is a no-op in redis
  const r = rule.toLowerCase();
  const c0 = rule[0]!;
  if (r === 'on') u.enabled = true;
  else if (r === 'off') u.enabled = false;
  else if (r === 'sanitize-payload' || r === 'skip-sanitize-payload') {
    // About RESTORE payloads, which a sentinel never receives: kept only to be shown again.
    u.sanitize = r;
  } else if (r === 'nopass') {
    u.nopass = true;
    u.passwords = [];
  } else if (r === 'resetpass') {
    u.nopass = false;
    u.passwords = [];
  } else if (c0 === '>' || c0 === '#') {
    const hash = c0 === '>' ? sha256(rule.slice(1)) : rule.slice(1);
    if (c0 === '#' && !HASH.test(hash)) throw new AclError('EBADMSG');
    if (!u.passwords.includes(hash)) u.passwords.push(hash);
    u.nopass = false;
  } else if (c0 === '<' || c0 === '!') {
    const hash = c0 === '<' ? sha256(rule.slice(1)) : rule.slice(1);
    if (c0 === '!' && !HASH.test(hash)) throw new AclError('EBADMSG');
    const at = u.passwords.indexOf(hash);
    if (at < 0) throw new AclError('ENODEV');
    u.passwords.splice(at, 1);
  } else if (c0 === '(' && rule.endsWith(')')) {
    const s = new AclSelector(pubsubDefault);
    const inner = splitArgs(rule.slice(1, -1));
    if (inner === null) throw new AclError('EINVAL');
    for (const op of inner) applySelectorRule(s, op);
    u.selectors.push(s);
  } else if (r === 'clearselectors') {
    u.selectors = [];
  } else if (r === 'reset') {
    for (const op of ['resetpass', 'resetkeys', 'resetchannels', ...(pubsubDefault === 'allchannels' ? ['allchannels'] : []), 'off', 'sanitize-payload', 'clearselectors', '-@all']) {
      applyRule(u, op, pubsubDefault);
    }
  } else {
    applySelectorRule(u, rule);
  }
}

/** A rule about commands, keys or channels, for the root selector or a `(...)` one. */
function applySelectorRule(s: AclSelector, rule: string): void {
  const r = rule.toLowerCase();
  const c0 = rule[0];
  if (r === 'allkeys' || r === '~*') {
    s.allKeys = true;
    s.keys.clear();
  } else if (r === 'resetkeys') {
    s.allKeys = false;
    s.keys.clear();
  } else if (c0 === '~' || c0 === '%') {
    if (s.allKeys) throw new AclError('EEXIST');
    let perm = 0;
    let at = 1;
    if (c0 === '%') {
      for (; at < rule.length; at++) {
        const ch = rule[at]!.toUpperCase();
        if (ch === 'R' && !(perm & KEY_READ)) perm |= KEY_READ;
        else if (ch === 'W' && !(perm & KEY_WRITE)) perm |= KEY_WRITE;
        else if (ch === '~') {
          at++;
          break;
        } else throw new AclError('EINVAL');
      }
    } else perm = KEY_READ | KEY_WRITE;
    const pattern = rule.slice(at);
    if (hasSpaces(pattern)) throw new AclError('EINVAL');
    s.keys.set(pattern, (s.keys.get(pattern) ?? 0) | perm);
  } else if (r === 'allchannels' || r === '&*') {
    s.allChannels = true;
    s.channels = [];
  } else if (r === 'resetchannels') {
    s.allChannels = false;
    s.channels = [];
  } else if (c0 === '&') {
    if (s.allChannels) throw new AclError('EISDIR');
    const pattern = rule.slice(1);
    if (hasSpaces(pattern)) throw new AclError('EINVAL');
    if (!s.channels.includes(pattern)) s.channels.push(pattern);
  } else if (r === 'allcommands' || r === '+@all') {
    s.allCommands = true;
    s.commandRules = [];
  } else if (r === 'nocommands' || r === '-@all') {
    s.allCommands = false;
    s.commandRules = [];
  } else if (c0 === '+' || c0 === '-') {
    const what = r.slice(1);
    if (what.startsWith('@')) {
      if (!(ACL_CATEGORIES as readonly string[]).includes(what.slice(1))) throw new AclError('ENOENT');
    } else {
      const [top, sub, ...more] = what.split('|');
      const spec = COMMANDS.get(top ?? '');
      if (!spec) throw new AclError('ENOENT');
      if (sub !== undefined) {
        if (more.length) throw new AclError('ECHILD');
        if (sub === '') throw new AclError('EINVAL');
        if (!spec.subcommands.has(sub)) throw new AclError('ENOENT');
      }
    }
    s.commandRules.push([c0 === '+', what]);
  } else {
    throw new AclError('EINVAL');
  }
}

/** The users of one sentinel, and the settings that shape new ones. */
export class AclUsers {
  private readonly byName = new Map<string, AclUser>();
  pubsubDefault: PubsubDefault = 'resetchannels';

  constructor(requirepass?: string) {
    this.byName.set('default', AclUsers.defaultUser(requirepass));
  }

  /** redis's default user: everything allowed, no password unless requirepass gives one. */
  static defaultUser(requirepass?: string): AclUser {
    const d = new AclUser('default');
    for (const r of ['+@all', '~*', '&*', 'on', requirepass ? `>${requirepass}` : 'nopass']) applyRule(d, r);
    return d;
  }

  get(name: string): AclUser | undefined {
    return this.byName.get(name);
  }

  /** Users in name order (redis keeps them in a radix tree; ACL LIST, files and rewrites show this order). */
  list(): AclUser[] {
    return [...this.byName.values()].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  delete(name: string): boolean {
    return this.byName.delete(name);
  }

  /** Whether a fresh connection starts authenticated as `default` (no password, user on). */
  defaultIsOpen(): boolean {
    const d = this.byName.get('default');
    return d !== undefined && d.enabled && d.nopass;
  }

  /**
   * ACL SETUSER: the rules apply to a copy, which replaces the user only if every rule is
   * valid; otherwise nothing changes and the failure is returned.
   */
  setUser(name: string, args: readonly string[]): RulesFailure | null {
    const u = this.byName.get(name)?.clone() ?? new AclUser(name, this.pubsubDefault);
    const failure = applyRules(u, args, this.pubsubDefault);
    if (failure === null) this.byName.set(name, u);
    return failure;
  }

  /**
   * Users from `user` config lines, at start-up: `default` is reset before its rules apply
   * (redis's ACLLoadConfiguredUsers), the others start as new users.
   */
  loadConfigured(users: readonly (readonly string[])[]): void {
    for (const [name, ...rules] of users) {
      const u = new AclUser(name!, this.pubsubDefault);
      if (name === 'default') applyRule(u, 'reset', this.pubsubDefault);
      const failure = applyRules(u, rules, this.pubsubDefault);
      // The loader has checked every rule already.
      if (failure) throw failure.kind === 'rule' ? failure.error : new AclError('EINVAL');
      this.byName.set(name!, u);
    }
  }

  /** Replaces every user with `users` (ACL LOAD); `default` is created as redis's default if absent. */
  replaceAll(users: readonly AclUser[]): void {
    this.byName.clear();
    for (const u of users) this.byName.set(u.name, u);
    if (!this.byName.has('default')) this.byName.set('default', AclUsers.defaultUser());
  }

  /** ACL file contents: one `user` line per user, in name order. */
  renderFile(): string {
    return this.list()
      .map((u) => `${u.describe()}\n`)
      .join('');
  }

  /** ACL SAVE: writes the file atomically (temp file, fsync, rename). Throws on I/O errors. */
  saveFile(file: string): void {
    writeFileAtomic(file, this.renderFile());
  }
}

/**
 * Parses an ACL file with redis's rules (ACLLoadFromFile): every non-blank line must be
 * `user <name> <rules...>`; every problem is collected, and if there is any, nothing is
 * loaded. Returns the users, or the one-line error message redis gives.
 */
export function parseAclFile(file: string, pubsubDefault: PubsubDefault): { users: AclUser[] } | { error: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8'); // as the config file and request arguments are decoded
  } catch (err) {
    return { error: `Error loading ACLs, opening file '${file}': ${strerror(err)}` };
  }
  let errors = '';
  const users = new Map<string, AclUser>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const n = i + 1;
    if (line === '') continue;
    // redis splits ACL file lines on single spaces, without quoting.
    const argv = line.split(' ').filter((a) => a !== '');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${file}:${n} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1]!;
    if (hasSpaces(name)) {
      errors += `'${file}:${n}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${n}. `;
      continue;
    }
    const u = new AclUser(name, pubsubDefault);
    users.set(name, u);
    let reported = false;
    const merged = mergeSelectorArgs(argv.slice(2));
    if ('unclosedAt' in merged) {
      errors += `${file}:${n}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    for (const raw of merged.rules) {
      const rule = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
      try {
        applyRule(u, rule, pubsubDefault);
      } catch (e) {
        if (!(e instanceof AclError)) throw e;
        // Unknown commands are named; other errors only once per line, since they may reveal a secret.
        if (e.reason === 'ENOENT') errors += `${file}:${n}: Error in applying operation '${rule}': ${e.message}. `;
        else if (!reported) {
          errors += `${file}:${n}: ${e.message}. `;
          reported = true;
        }
      }
    }
  }
  if (errors) return { error: `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed` };
  return { users: [...users.values()] };
}

export type AclDenialReason = 'command' | 'key' | 'channel' | 'auth';

export interface AclLogEntry {
  count: number;
  reason: AclDenialReason;
  /** What was refused: the command's full name, the channel, or the command that tried to authenticate. */
  object: string;
  username: string;
  /** CLIENT LIST line of the connection, as at the latest occurrence. */
  clientInfo: string;
  entryId: number;
  createdAt: number;
  updatedAt: number;
}

/** Denials closer than this to an identical entry are counted in it (redis's grouping window). */
const ACL_LOG_GROUPING_MS = 60_000;
/** Entries compared when looking for one to group with (redis limits the work the same way). */
const ACL_LOG_SCAN = 10;

/** The ACL LOG: the latest denied attempts, newest first, identical ones grouped with a count. */
export class AclLog {
  private entries: AclLogEntry[] = [];
  private nextId = 0;

  /** acllog-max-len: entries kept (0 keeps none). */
  constructor(private readonly maxLen = 128) {}

  add(reason: AclDenialReason, object: string, username: string, clientInfo: string, now: number): void {
    const scan = Math.min(this.entries.length, ACL_LOG_SCAN);
    for (let i = 0; i < scan; i++) {
      const e = this.entries[i]!;
      if (e.reason === reason && e.object === object && e.username === username && Math.abs(now - e.updatedAt) <= ACL_LOG_GROUPING_MS) {
        e.count++;
        e.updatedAt = now;
        e.clientInfo = clientInfo;
        this.entries.splice(i, 1);
        this.entries.unshift(e);
        return;
      }
    }
    this.entries.unshift({ count: 1, reason, object, username, clientInfo, entryId: this.nextId++, createdAt: now, updatedAt: now });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  /** The newest `count` entries. */
  list(count: number): readonly AclLogEntry[] {
    return this.entries.slice(0, Math.max(0, count));
  }

  get size(): number {
    return this.entries.length;
  }

  reset(): void {
    this.entries = [];
  }
}
