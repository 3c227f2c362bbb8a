// The disk spool: one file per batch, named by a zero-padded sequence so that the directory listing is the
// replay order, written atomically (tmp, fsync, rename, fsync dir) so a crash leaves either the whole batch
// or nothing. Two kinds: `.jsonl`, JSONEachRow objects (a writer without a decoder, and older spools), and
// `.enc`, a layout line then the encoder's bytes (JSONCompactEachRow for the gateway's tables), which
// replay as they are: no serialisation on the way in, no parsing and re-encoding on the way out.
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpoolIo } from './types.js';

export type SpoolKind = 'jsonl' | 'enc';

/** The error of a spool file that is no longer there (another process sharing the directory replayed it). */
export function fileGone(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ENOENT';
}

export interface SpoolEntry {
  seq: number;
  batchId: string;
  kind: SpoolKind;
  file: string;
  bytes: number;
}

const SEQ_DIGITS = 16;
const NAME = /^(\d{16})-([0-9A-Za-z-]+)\.(jsonl|enc)$/;
const TMP_PREFIX = '.tmp-';

export const nodeSpoolIo: SpoolIo = {
  async writeFile(path, data) {
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async syncDir(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  readFile: (path) => readFile(path),
  unlink: (path) => unlink(path),
};

export class Spool {
  /** Sorted by seq: the replay order. */
  private readonly entries: SpoolEntry[] = [];
  private totalBytes = 0;
  private readonly io: SpoolIo;

  /** Scans synchronously: runs once at writer construction, before any record is accepted. */
  constructor(
    private readonly dir: string,
    io: Partial<SpoolIo> = {},
  ) {
    this.io = { ...nodeSpoolIo, ...io };
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      // A tmp file is a write cut short by a crash before its rename: it may be partial, so it cannot be
      // replayed safely. Its rows were lost with the crashed process.
      if (name.startsWith(TMP_PREFIX)) {
        unlinkSync(join(dir, name));
        continue;
      }
      const m = NAME.exec(name);
      if (m === null) continue;
      const bytes = statSync(join(dir, name)).size;
      this.entries.push({ seq: Number(m[1]), batchId: m[2]!, kind: m[3] as SpoolKind, file: name, bytes });
      this.totalBytes += bytes;
    }
    this.entries.sort((a, b) => a.seq - b.seq);
  }

  get files(): number {
    return this.entries.length;
  }
  get bytes(): number {
    return this.totalBytes;
  }
  /** Highest sequence on disk, so that a restarted writer numbers its batches after it. */
  get maxSeq(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1]!.seq;
  }
  oldest(): SpoolEntry | undefined {
    return this.entries[0];
  }

  async write(seq: number, batchId: string, kind: SpoolKind, data: string | Uint8Array): Promise<SpoolEntry> {
    const file = `${String(seq).padStart(SEQ_DIGITS, '0')}-${batchId}.${kind}`;
    const tmp = join(this.dir, TMP_PREFIX + file);
    try {
      await this.io.writeFile(tmp, data);
      await this.io.rename(tmp, join(this.dir, file));
    } catch (err) {
      await this.io.unlink(tmp).catch(() => undefined);
      throw err;
    }
    await this.io.syncDir(this.dir);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
    const entry: SpoolEntry = { seq, batchId, kind, file, bytes };
    // Batches are spooled almost always in sequence order; walk back from the end for the rest.
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.seq > seq) i--;
    this.entries.splice(i, 0, entry);
    this.totalBytes += entry.bytes;
    return entry;
  }

  read(entry: SpoolEntry): Promise<Buffer> {
    return this.io.readFile(join(this.dir, entry.file));
  }

  async remove(entry: SpoolEntry): Promise<void> {
    try {
      await this.io.unlink(join(this.dir, entry.file));
    } catch (err) {
      // Already gone (another process sharing the directory replayed it): the entry goes all the same.
      if (!fileGone(err)) throw err;
    }
    this.forget(entry);
  }

  /** Drops an entry whose file is no longer there, without touching the disk. */
  forget(entry: SpoolEntry): void {
    const i = this.entries.indexOf(entry);
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.totalBytes -= entry.bytes;
  }
}
