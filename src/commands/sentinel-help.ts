/**
 * The reply to SENTINEL HELP, which the server gives itself (every other SENTINEL subcommand goes
 * to the sentinel, src/commands/sentinel.ts). The explanations are our own words.
 */
import { helpLines } from './replies.js';

export const SENTINEL_HELP = helpLines('SENTINEL', [
  ['CKQUORUM <master-name>', 'Tell whether enough sentinels are reachable to reach the quorum of this master', 'and the majority that authorizes its failover.'],
  ['CONFIG SET <param> <value> [<param> <value> ...]', 'Change sentinel-wide parameters (all are checked before any is changed).'],
  ['CONFIG GET <param> [<param> ...]', 'Read sentinel-wide parameters; glob patterns are allowed.'],
  ['DEBUG [<param> <value> ...]', 'With no argument, list the timing parameters (milliseconds);', 'otherwise change one or more of them.'],
  ['GET-MASTER-ADDR-BY-NAME <master-name>', 'Return the ip and port of the current master of that name.'],
  ['FAILOVER <master-name>', 'Fail the master over now, without asking the other sentinels to agree.'],
  ['FLUSHCONFIG', 'Write the configuration file again, with the current state.'],
  ['INFO-CACHE <master-name> [<master-name> ...]', 'Return the last INFO replies of the masters and of their replicas.'],
  ['IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>', 'Tell whether this sentinel sees the master at ip:port down;', 'with a runid other than *, also ask for its vote.'],
  ['MASTER <master-name>', 'Show the state of one monitored master.'],
  ['MASTERS', 'Show the state of every monitored master.'],
  ['MONITOR <name> <ip> <port> <quorum>', 'Start monitoring a new master.'],
  ['MYID', 'Return the id of this sentinel.'],
  ['PENDING-SCRIPTS', 'List the notification and reconfiguration scripts waiting or running.'],
  ['REMOVE <master-name>', 'Stop monitoring a master and forget its replicas and sentinels.'],
  ['REPLICAS <master-name>', 'Show the replicas of a master and their state.'],
  ['RESET <pattern>', 'Reset every master whose name matches the pattern: forget its replicas,', 'sentinels and failover state, then rediscover them.'],
  ['SENTINELS <master-name>', 'Show the other sentinels that monitor a master and their state.'],
  ['SET <master-name> <option> <value> [<option> <value> ...]', "Change a master's parameters."],
  ['SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]', 'Make this sentinel exit at a chosen point of its next failover (for tests).'],
  ['SLAVES <master-name>', 'Old name of REPLICAS.'],
]);
