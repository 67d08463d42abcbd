/**
 * SHUTDOWN: its flags checked as redis does, then the sentinel is asked to stop (a sentinel has
 * no dataset, so SAVE changes nothing).
 */
import type { Reply } from '../protocol/reply.js';
import { error } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { ServerContext } from './context.js';

export function shutdown(srv: ServerContext, c: Client, args: string[]): Reply | null {
  const flags = new Set<string>();
  for (const a of args) {
    const l = a.toLowerCase();
    if (!['nosave', 'save', 'now', 'force', 'abort'].includes(l)) return error('ERR syntax error');
    flags.add(l);
  }
  if ((flags.has('abort') && flags.size > 1) || (flags.has('save') && flags.has('nosave'))) return error('ERR syntax error');
  if (flags.has('abort')) return error('ERR No shutdown in progress.');
  // A sentinel has no dataset: SAVE is quietly turned into NOSAVE.
  c.closeAfterReply = true;
  srv.opts.hooks.shutdown();
  return null;
}
