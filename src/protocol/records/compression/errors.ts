/**
 * Error constructors shared by the codecs: every failure inside a native or zlib decompressor is
 * wrapped into a `CorruptRecordError` so callers see only the codec's typed errors.
 */
import { CorruptRecordError } from '../errors.js';

export function decompressFailed(codec: string, cause?: unknown, detail?: string): CorruptRecordError {
  const why = detail ?? (cause instanceof Error ? cause.message : String(cause));
  return new CorruptRecordError('decompress-failed', `${codec}: cannot decompress records: ${why}`, { cause });
}

export function decompressedTooLarge(codec: string, maxBytes: number): CorruptRecordError {
  return new CorruptRecordError(
    'decompressed-too-large',
    `${codec}: records inflate past the ${maxBytes}-byte limit (maxDecompressedBytes)`,
  );
}
