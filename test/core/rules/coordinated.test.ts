/**
 * Table tests for src/core/rules/coordinated.ts: what the master must be before a coordinated
 * failover, the pause lease, and reading the master's verdict. The rules come from the
 * switchover digest (Redis FAILOVER 1.1-1.6, CLIENT PAUSE 2, the recommended design 5.2-5.4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Wire } from '../../../src/core/actions.js';
import type { CoordinatedFacts } from '../../../src/core/rules/coordinated.js';
import { ACK_PERIOD_MS, HANDOVER_LEAD_MS, HANDOVER_TIMING_MAX_WAIT_MS, PAUSE_LEASE_MS, coordinatedBlocker, execFailed, handoverDue, handoverState, leaseRenewalDue, versionAtLeast } from '../../../src/core/rules/coordinated.js';

const CHECKS = '5.2 "master_failover_state:no-failover in the master\'s latest INFO (proves 6.2+ and that no operator FAILOVER is running). Refuse ... below 7.0"; master link up, not SDOWN; enough connected peers for a majority';
const ok: CoordinatedFacts = { serverFailoverState: 'no-failover', serverVersion: '7.0.15', masterReachable: true, voters: 3, votesNeeded: 2 };

const rows: { rule: string; f: CoordinatedFacts; want: string | null }[] = [
  { rule: `${CHECKS} [all good]`, f: ok, want: null },
  { rule: `${CHECKS} [no master_failover_state seen: Valkey's reply]`, f: { ...ok, serverFailoverState: null }, want: 'NOGOODPRIMARY Primary does not support FAILOVER command' },
  { rule: `${CHECKS} [6.2: one global pause]`, f: { ...ok, serverVersion: '6.2.14' }, want: 'NOGOODPRIMARY Coordinated failover needs Redis 7.0 or newer on the master (it runs 6.2.14)' },
  { rule: `${CHECKS} [an operator's FAILOVER is running]`, f: { ...ok, serverFailoverState: 'waiting-for-sync' }, want: 'NOGOODPRIMARY The master reports a FAILOVER already running (waiting-for-sync)' },
  { rule: `${CHECKS} [master down or disconnected]`, f: { ...ok, masterReachable: false }, want: 'NOGOODPRIMARY The master is down or unreachable; a coordinated failover needs it to hand over' },
  { rule: `${CHECKS} [1 of 3 reachable, 2 votes needed]`, f: { ...ok, voters: 1 }, want: 'NOQUORUM 1 reachable sentinels, 2 votes needed to elect a leader' },
  { rule: `${CHECKS} [exactly the votes needed]`, f: { ...ok, voters: 2 }, want: null },
  { rule: `${CHECKS} [7.2 and 8.0 are newer than 7.0]`, f: { ...ok, serverVersion: '8.0.1' }, want: null },
];
for (const row of rows) test(row.rule, () => assert.equal(coordinatedBlocker(row.f)?.message ?? null, row.want, row.rule));

const VERSIONS: [string, number, number, boolean][] = [
  ['7.0.0', 7, 0, true],
  ['6.2.14', 7, 0, false],
  ['7.2.4', 7, 0, true],
  ['10.0.0', 7, 0, true],
  ['', 7, 0, false],
  ['garbage', 7, 0, false],
];
for (const [v, a, b, want] of VERSIONS) test(`versionAtLeast(${JSON.stringify(v)}, ${a}, ${b}) = ${want}`, () => assert.equal(versionAtLeast(v, a, b), want));

const LEASE = `5.3 "a short lease (2-5 s) renewed every lease/3 while progress is expected" (we: ${PAUSE_LEASE_MS} ms, renewed with less than half left)`;
const leaseRows: { rule: string; left: number; want: boolean }[] = [
  { rule: `${LEASE} [full lease left]`, left: PAUSE_LEASE_MS, want: false },
  { rule: `${LEASE} [exactly half left: not yet]`, left: PAUSE_LEASE_MS / 2, want: false },
  { rule: `${LEASE} [less than half left]`, left: PAUSE_LEASE_MS / 2 - 1, want: true },
  { rule: `${LEASE} [already expired]`, left: -5, want: true },
];
for (const row of leaseRows) test(row.rule, () => assert.equal(leaseRenewalDue(1000 + row.left, 1000), row.want, row.rule));

const VERDICT = '1.2/1.5 "during failover-in-progress the old master already reports role:slave"; TIMEOUT expired without FORCE: "abortFailover(\'Replica never caught up before timeout\'), still master" (no-failover)';
const verdictRows: { rule: string; role: 'master' | 'slave'; state: string | null; want: string }[] = [
  { rule: `${VERDICT} [waiting-for-sync]`, role: 'master', state: 'waiting-for-sync', want: 'waiting' },
  { rule: `${VERDICT} [demoted: role slave, failover-in-progress]`, role: 'slave', state: 'failover-in-progress', want: 'demoted' },
  { rule: `${VERDICT} [demoted and done: role slave, no-failover]`, role: 'slave', state: 'no-failover', want: 'demoted' },
  { rule: `${VERDICT} [still master, no failover: the server gave up]`, role: 'master', state: 'no-failover', want: 'server-aborted' },
];
for (const row of verdictRows) test(row.rule, () => assert.equal(handoverState(row.role, row.state), row.want, row.rule));

const EXEC = '5.3 "read the EXEC reply: if FAILOVER errored, send CLIENT UNPAUSE and abort at once"';
const execRows: { rule: string; reply: Wire; want: string | null }[] = [
  { rule: `${EXEC} [both OK]`, reply: ['OK', 'OK'], want: null },
  { rule: `${EXEC} [FAILOVER refused inside EXEC]`, reply: ['OK', { error: 'ERR FAILOVER target replica is not online.' }], want: 'ERR FAILOVER target replica is not online.' },
  { rule: `${EXEC} [EXEC itself refused (EXECABORT, NOPERM while queueing)]`, reply: { error: 'EXECABORT Transaction discarded because of previous errors.' }, want: 'EXECABORT Transaction discarded because of previous errors.' },
  { rule: `${EXEC} [no array: treated as a failure]`, reply: null, want: 'EXEC did not answer' },
];
for (const row of execRows) test(row.rule, () => assert.equal(execFailed(row.reply), row.want, row.rule));

const TIMING = 'hand-over timing: replicas acknowledge once a second and never on request while writes are paused (digest 1.3, 2), so the pause starts just before the target\'s next acknowledgement';
const DUE = 10_000;
const timingRows: { rule: string; ackChangedAt: number; now: number; want: boolean }[] = [
  { rule: `${TIMING} [just acknowledged: wait for the next one]`, ackChangedAt: DUE + 100, now: DUE + 150, want: false },
  { rule: `${TIMING} [ACK_PERIOD - LEAD - 1 ms after the sighting: not yet]`, ackChangedAt: DUE, now: DUE + ACK_PERIOD_MS - HANDOVER_LEAD_MS - 1, want: false },
  { rule: `${TIMING} [ACK_PERIOD - LEAD after the sighting: send]`, ackChangedAt: DUE, now: DUE + ACK_PERIOD_MS - HANDOVER_LEAD_MS, want: true },
  { rule: `${TIMING} [a sighting slightly older than a period: still send (late is better than a second more)]`, ackChangedAt: DUE, now: DUE + ACK_PERIOD_MS + HANDOVER_LEAD_MS, want: true },
  { rule: `${TIMING} [no sighting yet: wait]`, ackChangedAt: 0, now: DUE + 500, want: false },
  { rule: `${TIMING} [no sighting within the bounded wait: send anyway]`, ackChangedAt: 0, now: DUE + HANDOVER_TIMING_MAX_WAIT_MS + 1, want: true },
  { rule: `${TIMING} [a stale sighting (no writes lately) counts as none]`, ackChangedAt: DUE - 5000, now: DUE + 200, want: false },
  { rule: `${TIMING} [acknowledgements every few ms (clients issuing WAIT): send once the bounded wait is over]`, ackChangedAt: DUE + HANDOVER_TIMING_MAX_WAIT_MS - 4, now: DUE + HANDOVER_TIMING_MAX_WAIT_MS + 1, want: true },
  { rule: `${TIMING} [acknowledgements every few ms, within the bounded wait: wait for the rhythm]`, ackChangedAt: DUE + 996, now: DUE + 1000, want: false },
];
for (const row of timingRows) test(row.rule, () => assert.equal(handoverDue({ ackChangedAt: row.ackChangedAt, dueSince: DUE }, row.now), row.want, row.rule));
