/**
 * One ACL user: on/off, passwords, the payload flag, its root selector and `(...)` selectors;
 * whether it may authenticate and run a command on some channels; how it is described (ACL
 * LIST, `user` lines, ACL files); and the rules that change a user (ACL SETUSER, `user` config
 * lines, ACL files), with redis 7.0's merging of `(...)` selectors split by blanks.
 */
import { createHash } from 'node:crypto';
import { AclError } from '../util/errors.js';
import { quoteArg, reprArg, splitArgs } from '../util/split-args.js';
import { AclSelector, applySelectorRule } from './selector.js';
import type { PubsubDefault } from './selector.js';

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
