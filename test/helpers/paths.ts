/** Where the programs the tests run live: the repository's sentinel and Debian's redis binaries. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/test/helpers/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SENTINEL_TS = path.join(ROOT, 'bin/sentinel-ts');
export const REDIS_SENTINEL = '/usr/bin/redis-sentinel';
export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';
/** Debian's python, which has python3-redis; a `python3` found on PATH may not. */
export const PYTHON3 = '/usr/bin/python3';
