/**
 * The users of one sentinel: the default user (open, or locked by requirepass), ACL SETUSER
 * applied all-or-nothing, the users from `user` config lines, ACL LOAD replacing every user,
 * and ACL SAVE writing the ACL file atomically.
 */
import { writeFileAtomic } from '../util/atomic-write.js';
import { AclError } from '../util/errors.js';
import type { PubsubDefault } from './selector.js';
import { AclUser, applyRule, applyRules } from './user.js';
import type { RulesFailure } from './user.js';

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
