import { open } from 'node:fs/promises';
import { maskedCrc32c } from './crc32c.ts';

/** Records above this size are treated as corruption rather than allocated (event records are small). */
const maxRecordBytes = 256 * 1024 * 1024;

/**
 * Reads TFRecord framing: `uint64 length (LE) | uint32 masked CRC32C(length) | data | uint32 masked CRC32C(data)`,
 * verifying both CRCs. Stops at the first bad or truncated record (a file still being written ends in a
 * partial record) and reports why through `onWarning`. Each yielded array is only valid until the next
 * iteration: it views an internal buffer that is reused.
 */
export async function* readTfRecords(path: string, onWarning: (message: string) => void): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  let buf = Buffer.allocUnsafe(1024 * 1024);
  let start = 0;
  let end = 0;
  let eof = false;
  let offset = 0; // file offset of buf[start], for messages

  /** Makes at least `n` bytes available from `start`; false when the file ends first. */
  const ensure = async (n: number): Promise<boolean> => {
    if (end - start >= n) return true;
    if (n > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, buf.length * 2));
      buf.copy(bigger, 0, start, end);
      buf = bigger;
    } else {
      buf.copy(buf, 0, start, end);
    }
    end -= start;
    start = 0;
    while (end < n && !eof) {
      const { bytesRead } = await fh.read(buf, end, buf.length - end, null);
      if (bytesRead === 0) eof = true;
      end += bytesRead;
    }
    return end >= n;
  };

  try {
    for (;;) {
      if (!(await ensure(12))) {
        if (end > start) onWarning(`${path}: truncated record header at byte ${offset}; stopped reading`);
        return;
      }
      const lengthBytes = buf.subarray(start, start + 8);
      if (maskedCrc32c(lengthBytes) !== buf.readUInt32LE(start + 8)) {
        onWarning(`${path}: length CRC mismatch at byte ${offset}; stopped reading`);
        return;
      }
      const length = Number(buf.readBigUInt64LE(start));
      if (length > maxRecordBytes) {
        onWarning(`${path}: record of ${length} bytes at byte ${offset} is too large; stopped reading`);
        return;
      }
      if (!(await ensure(12 + length + 4))) {
        onWarning(`${path}: truncated record at byte ${offset} (file still being written?); stopped reading`);
        return;
      }
      const data = buf.subarray(start + 12, start + 12 + length);
      if (maskedCrc32c(data) !== buf.readUInt32LE(start + 12 + length)) {
        onWarning(`${path}: data CRC mismatch at byte ${offset}; stopped reading`);
        return;
      }
      start += 16 + length;
      offset += 16 + length;
      yield data;
    }
  } finally {
    await fh.close();
  }
}
