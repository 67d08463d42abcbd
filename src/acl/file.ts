/**
 * Reading an ACL file (ACL LOAD and `aclfile` at start-up) with redis 7.0's rules
 * (ACLLoadFromFile): one `user` line per user, every problem collected into redis's one-line
 * error, and nothing loaded when there is any.
 */
import fs from 'node:fs';
import { AclError, strerror } from '../util/errors.js';
import { hasSpaces } from './selector.js';
import type { PubsubDefault } from './selector.js';
import { AclUser, applyRule, mergeSelectorArgs } from './user.js';

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
