/**
 * One process at a time per data folder: dynalite's LevelDB store cannot be shared, and a second opener only
 * learns it from a raw "Database is closed" much later. `npm start` and `npm run backfill` take this lock first
 * (DATA_DIR/.lock: pid, what holds it, its URL) and a second one stops with a sentence saying who holds it.
 * A lock whose process is gone (killed, crashed) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  holder: string;
  url?: string;
  since: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `${dataDir} is in use by \`${holder.holder}\` (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}, since ${holder.since})`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined; // gone, or half-written by a process that died mid-write
  }
}

export interface DataDirLock {
  /** Adds the URL the holder serves (a second `npm start` then names it). */
  setUrl(url: string): void;
  release(): void;
}

export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  const file = join(dataDir, '.lock');
  const info: LockInfo = { pid: process.pid, holder, since: new Date().toISOString() };
  for (let tries = 0; ; tries++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 2) throw e;
      const other = read(file);
      if (other && other.pid !== process.pid && alive(other.pid)) throw new DataDirLockedError(dataDir, other);
      unlinkSync(file); // stale: its process is gone
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (read(file)?.pid === process.pid) unlinkSync(file);
  };
  process.once('exit', release);
  return {
    setUrl(url) {
      info.url = url;
      writeFileSync(file, JSON.stringify(info));
    },
    release,
  };
}
