/**
 * Shared machinery of the two sparse segment indexes (OffsetIndex, TimeIndex).
 *
 * Owns: an in-memory copy of the entries (a Buffer in the exact on-disk big-endian layout) and the
 * index file. Kafka mmaps its indexes; Node cannot, so entries live in memory and reach the file
 * on flush/roll/close. That is safe because, as in Kafka, indexes are sparse and unchecksummed:
 * after an unclean shutdown the indexes of segments after the recovery point are rebuilt from the
 * .log, and every lookup verifies the batch it lands on.
 *
 * On disk: a flat array of fixed-size entries. While a segment is active its index files are
 * preallocated (sparse) to `maxIndexBytes` rounded down to the entry size, and trimmed to the
 * valid entries when the segment becomes inactive or is closed, as Kafka does. A zero entry marks
 * the end of valid entries in an untrimmed file (a real entry never has relative offset 0 and
 * position/timestamp 0 after the first, because entries strictly increase).
 *
 * Concurrency: owned by one LogSegment; mutations are serialized by the Log's append queue or its
 * maintenance lock. Lookups are synchronous over memory.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';

export abstract class IndexFile {
  protected mem: Buffer;
  protected _entries = 0;
  /** Entries already written to the file; those after it are only in memory. */
  private flushedEntries = 0;
  /** Whether the file currently holds bytes past the valid entries (preallocation or stale data). */
  private fileLength = -1;
  readonly maxEntries: number;

  protected constructor(
    public path: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
    readonly entrySize: number,
    private readonly preallocate: boolean,
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize));
    this.mem = Buffer.alloc(Math.min(this.maxEntries, 64) * entrySize);
  }

  get entries(): number {
    return this._entries;
  }

  get sizeInBytes(): number {
    return this._entries * this.entrySize;
  }

  /** Reads the file's bytes (empty if missing). Validation is the subclass's job. */
  protected async readFileBytes(): Promise<Buffer | null> {
    try {
      const bytes = await readFile(this.path);
      this.fileLength = bytes.length;
      return bytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Adopts the first `n` entries of `bytes` as the index content (already validated). */
  protected adopt(bytes: Buffer, n: number): void {
    this.ensureCapacity(n);
    bytes.copy(this.mem, 0, 0, n * this.entrySize);
    this._entries = n;
    this.flushedEntries = n;
  }

  protected ensureCapacity(n: number): void {
    const need = n * this.entrySize;
    if (need <= this.mem.length) return;
    const grown = Buffer.alloc(Math.min(this.maxEntries * this.entrySize, Math.max(need, this.mem.length * 2)));
    this.mem.copy(grown, 0, 0, this._entries * this.entrySize);
    this.mem = grown;
  }

  protected pushEntry(): number {
    this.ensureCapacity(this._entries + 1);
    return this._entries++ * this.entrySize;
  }

  /** Drops every entry from index `n` on. The file is shortened on the next flush. */
  protected truncateToEntries(n: number): void {
    if (n >= this._entries) return;
    this._entries = n;
    if (this.flushedEntries > n) {
      this.flushedEntries = n;
      // Stale entries past n are still in the file; the next flush must cut them off, or a crash
      // could leave old (monotonic-looking) entries after new ones.
      this.fileLength = Math.max(this.fileLength, n * this.entrySize + 1);
      this.mustCut = true;
    }
  }
  private mustCut = false;

  /** Clears all entries (before a rebuild). */
  reset(): void {
    this.truncateToEntries(0);
  }

  /**
   * Writes entries not yet in the file; preallocates an active index, optionally fsyncs.
   * `trim` cuts the file to the valid entries (segment became inactive or is closing).
   */
  async flush(opts: { sync?: boolean; trim?: boolean } = {}): Promise<void> {
    const valid = this._entries * this.entrySize;
    const fh = await open(this.path, 'r+').catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      // Missing (never written, or deleted underneath us): start the file from scratch.
      this.flushedEntries = 0;
      this.fileLength = 0;
      this.mustCut = false;
      return open(this.path, 'w+');
    });
    try {
      if (this.fileLength < 0) this.fileLength = (await fh.stat()).size;
      if (this.mustCut) {
        await fh.truncate(this.flushedEntries * this.entrySize);
        this.fileLength = this.flushedEntries * this.entrySize;
        this.mustCut = false;
      }
      const from = this.flushedEntries * this.entrySize;
      if (valid > from) await fh.write(this.mem, from, valid - from, from);
      this.flushedEntries = this._entries;
      this.fileLength = Math.max(this.fileLength, valid);
      const target = opts.trim ? valid : this.preallocate ? this.maxEntries * this.entrySize : Math.max(valid, this.fileLength);
      if (this.fileLength !== target) {
        await fh.truncate(target);
        this.fileLength = target;
      }
      if (opts.sync) await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async renameTo(path: string): Promise<void> {
    try {
      await rename(this.path, path);
    } catch (err) {
      // An index that was never flushed has no file; the rename is then only a name change.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.path = path;
  }

  async deleteFile(): Promise<void> {
    await rm(this.path, { force: true });
    this.fileLength = -1;
    this.flushedEntries = 0;
    this.mustCut = false;
  }
}
