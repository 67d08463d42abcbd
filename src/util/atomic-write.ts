/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content, as
 * redis's rewriteConfigOverwriteFile does: write a temporary file in the same directory, fsync
 * it, rename it over the target, fsync the directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes `data` to `file` atomically. On failure the temporary file is removed and the error
 * (an ordinary Node system error) is thrown. A directory standing at `file` makes the rename
 * fail with EISDIR and is never touched. The new file gets mode 0644 less the umask, as redis
 * gives it.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `${path.basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null = null;
  try {
    // 'wx': never follow or reuse something already at the temporary name.
    fd = fs.openSync(tmp, 'wx', 0o644);
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // the write error is the one worth reporting
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created
    }
    throw err;
  }
  fsyncDir(dir);
}

/**
 * Makes the rename durable. Like redis's fsyncFileDir, systems that refuse to open or fsync a
 * directory (EISDIR on open, EBADF/EINVAL on fsync) are tolerated; any other failure is thrown,
 * although the new content is already in place.
 */
function fsyncDir(dir: string): void {
  let dfd: number;
  try {
    dfd = fs.openSync(dir, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return;
    throw err;
  }
  try {
    fs.fsyncSync(dfd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EBADF' && code !== 'EINVAL') throw err;
  } finally {
    fs.closeSync(dfd);
  }
}

/**
 * Removes temporary files that a crash in the middle of writeFileAtomic left next to `file`
 * (called at start, before this process writes anything).
 */
export function removeStaleTemps(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    try {
      fs.unlinkSync(path.join(dir, n));
    } catch {
      // not ours to remove, or already gone
    }
  }
}
