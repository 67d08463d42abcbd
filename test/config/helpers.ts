/** Shared helpers for the config tests: temp sandboxes and the fixtures directory. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/config/fixtures in the source tree (the tests run from dist/test/config). */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/config/fixtures');

export const MYID = 'e9e149062767bbcf6706b9a3135840240a98fcfc';

/** A fresh temp directory with the sub-directories the fixtures refer to. */
export function sandbox(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-ts-config-'));
  for (const sub of ['data/logs', 'logs', 'sentinel_0']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}

export function removeSandbox(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `text` as `<dir>/<name>` and returns the path. */
export function writeConf(dir: string, text: string, name = 'sentinel.conf'): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}
