// Writes files so that a reader (or a crash) sees the old content or the new one, never a mix: temp file + rename.
import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';

/** A write decided in full before any file is touched, so an error on one input leaves every file as it was. */
export interface PlannedWrite {
  readonly file: string;
  readonly data: string | Uint8Array;
  readonly mode: number;
}

/** Writes `data` to a temp file beside `file` (created with `mode`, synced), then renames it over `file`. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.rig-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, mode); // the umask may have narrowed the mode given to open()
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Applies planned writes in order, each atomically. */
export async function commitWrites(writes: readonly PlannedWrite[]): Promise<void> {
  for (const w of writes) await writeFileAtomic(w.file, w.data, w.mode);
}
