/**
 * Replays every transcript in test/core/testdata/ against the real core (see transcript.ts for
 * the command language). After a deliberate change of behaviour, rewrite the expectations with
 * `SENTINEL_TS_REWRITE=1 node --test dist/test/core/transcript.test.js` and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TranscriptWorld, formatTranscript, parseTranscript } from './transcript.js';

// dist/test/core -> the sources' test/core/testdata (transcripts are not compiled).
const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/core/testdata');
const REWRITE = process.env.SENTINEL_TS_REWRITE === '1';

const files = fs.readdirSync(DATA).filter((f) => f.endsWith('.txt')).sort();

test('there are transcripts to replay', () => {
  assert.ok(files.length >= 5, `only ${files.length} transcripts in ${DATA}`);
});

for (const f of files) {
  test(`transcript ${f}`, () => {
    const file = path.join(DATA, f);
    const { header, blocks } = parseTranscript(fs.readFileSync(file, 'utf8'));
    const world = new TranscriptWorld();
    for (const b of blocks) {
      const got = world.run(b.cmd);
      if (REWRITE) b.expected = got;
      else assert.deepEqual(got, b.expected, `${f}: after '${b.cmd}'`);
    }
    if (REWRITE) fs.writeFileSync(file, formatTranscript(header, blocks));
  });
}
