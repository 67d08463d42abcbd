// temporary: removed when generic.ts/server.ts are merged
// The ACL model lives in src/acl; this file only keeps the old import path working for
// src/commands/generic.ts and src/server/server.ts until their split lands.
export { ACL_CATEGORIES, AclSelector, hasSpaces } from '../acl/selector.js';
export type { PubsubDefault } from '../acl/selector.js';
export { AclUser, applyRule, applyRules, mergeSelectorArgs, sha256 } from '../acl/user.js';
export type { RulesFailure } from '../acl/user.js';
export { AclUsers } from '../acl/users.js';
export { parseAclFile } from '../acl/file.js';
export { AclLog } from '../acl/log.js';
export type { AclDenialReason, AclLogEntry } from '../acl/log.js';
