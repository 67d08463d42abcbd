/** Shared helpers for the config tests: temp sandboxes, fixtures, expected failures. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/util/errors.js';
import type { SentinelConfig } from '../../src/config/model.js';
import { mulberry32 } from '../sim/world.js';

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

const boxes: string[] = [];
// Registered while the test file loads, so it runs once, after all of the file's tests.
after(() => boxes.forEach(removeSandbox));

/** A sandbox removed when the test file ends. */
export function box(): string {
  const d = sandbox();
  boxes.push(d);
  return d;
}

/** Writes `text` as `<dir>/<name>` and returns the path. */
export function writeConf(dir: string, text: string | Buffer, name = 'sentinel.conf'): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixtureBytes(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

/** Loads `text` as sentinel.conf in a new sandbox. */
export function load(text: string, cli: string[] = []): SentinelConfig {
  const d = box();
  writeConf(d, text);
  return loadConfig('sentinel.conf', cli, { cwd: d });
}

/** Loads `text` expecting a ConfigError; returns it. */
export function loadError(text: string, cli: string[] = []): ConfigError {
  try {
    load(text, cli);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    return err;
  }
  assert.fail(`no error for ${JSON.stringify(text)} ${JSON.stringify(cli)}`);
}

/** [line, reason, text of the line] of the error `text` gives. */
export function failure(text: string, cli: string[] = []): [number, string, string] {
  const e = loadError(text, cli);
  return [e.line, e.reason, e.text];
}

/** Loads the file the way the sentinel starts: a missing myid is generated (here: MYID). */
export function start(dir: string): SentinelConfig {
  const cfg = loadConfig('sentinel.conf', [], { cwd: dir });
  if (!cfg.sentinel.myid) cfg.sentinel.myid = MYID;
  return cfg;
}

/** A deterministic PRNG (the simulator's mulberry32), so that a failing random case can be replayed: an integer below n. */
export function prng(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n: number): number => Math.floor(next() * n);
}
