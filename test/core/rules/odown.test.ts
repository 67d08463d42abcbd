/**
 * Table tests for src/core/rules/odown.ts. Each row quotes the rule it checks from
 * sentinel-features.md (5.8 ODOWN, 8.10).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerDownFacts } from '../../../src/core/rules/odown.js';
import { isObjectivelyDown, odownVotes } from '../../../src/core/rules/odown.js';

const ODOWN =
  '5.8 "ODOWN holds while the master is SDOWN here and 1 + (number of peers whose last answer said "down", not older than 5 s) ≥ quorum"';
const NOT_MAJORITY = '8.10 "ODOWN needs self + peers ≥ quorum (quorum is not the majority)"';

const down: PeerDownFacts = { masterDown: true };
const up: PeerDownFacts = { masterDown: false };

/** Both functions as the core chains them: votes from the peers' answers, then the decision. */
const rows: { rule: string; sDown: boolean; peers: PeerDownFacts[]; quorum: number; votes: number; odown: boolean }[] = [
  { rule: `${ODOWN} [quorum 3, one peer agrees: quorum - 1]`, sDown: true, peers: [down, up, up, up], quorum: 3, votes: 2, odown: false },
  { rule: `${ODOWN} [quorum 3, two peers agree: exactly quorum]`, sDown: true, peers: [down, down, up, up], quorum: 3, votes: 3, odown: true },
  { rule: `${ODOWN} [quorum 3, three peers agree: quorum + 1]`, sDown: true, peers: [down, down, down, up], quorum: 3, votes: 4, odown: true },
  { rule: `${ODOWN} [not SDOWN here: no votes at all, whatever the peers say]`, sDown: false, peers: [down, down, down, down], quorum: 3, votes: 0, odown: false },
  { rule: `${ODOWN} [a lone sentinel with quorum 1: its own SDOWN suffices]`, sDown: true, peers: [], quorum: 1, votes: 1, odown: true },
  { rule: `${ODOWN} [a peer that said "not down" adds nothing]`, sDown: true, peers: [up, up], quorum: 2, votes: 1, odown: false },
  { rule: `${NOT_MAJORITY} [5 sentinels, quorum 2: two of five suffice]`, sDown: true, peers: [down, up, up, up], quorum: 2, votes: 2, odown: true },
  { rule: `${NOT_MAJORITY} [3 sentinels, quorum 3: all three are needed although two are a majority]`, sDown: true, peers: [down, up], quorum: 3, votes: 2, odown: false },
];

for (const row of rows) {
  test(row.rule, () => {
    const votes = odownVotes(row.sDown, row.peers);
    assert.equal(votes, row.votes, `${row.rule}: votes`);
    assert.equal(isObjectivelyDown(row.sDown, votes, row.quorum), row.odown, `${row.rule}: odown`);
  });
}

/** isObjectivelyDown alone, with vote counts it might be handed. */
const decisionRows: { rule: string; sDown: boolean; votes: number; quorum: number; want: boolean }[] = [
  { rule: `${ODOWN} [isObjectivelyDown: votes = quorum - 1]`, sDown: true, votes: 1, quorum: 2, want: false },
  { rule: `${ODOWN} [isObjectivelyDown: votes = quorum]`, sDown: true, votes: 2, quorum: 2, want: true },
  { rule: `${ODOWN} [isObjectivelyDown: votes = quorum + 1]`, sDown: true, votes: 3, quorum: 2, want: true },
  { rule: `${ODOWN} [isObjectivelyDown: enough votes but not SDOWN here]`, sDown: false, votes: 5, quorum: 2, want: false },
];

for (const row of decisionRows) {
  test(row.rule, () => assert.equal(isObjectivelyDown(row.sDown, row.votes, row.quorum), row.want, row.rule));
}
