/** Reads a job's stdout/stderr by byte offset (the logs endpoint and the WebSocket tail). */
import * as fs from 'fs';
import * as path from 'path';
import { FILES } from '../backends/workdir';
import { isTerminal, type LogChunk } from '../protocol/records';
import type { JobRow } from '../store/rows';

export const DEFAULT_LOG_CHUNK = 256 * 1024;
export const MAX_LOG_CHUNK = 4 * 1024 * 1024;

export function logPath(row: Pick<JobRow, 'work_dir'>, stream: 'stdout' | 'stderr'): string {
  return path.join(row.work_dir, stream === 'stdout' ? FILES.stdout : FILES.stderr);
}

export function readLog(
  row: Pick<JobRow, 'work_dir' | 'status'>,
  stream: 'stdout' | 'stderr',
  offset: number,
  limit = DEFAULT_LOG_CHUNK
): LogChunk {
  const want = Math.min(Math.max(limit, 1), MAX_LOG_CHUNK);
  let fd: number;
  try {
    fd = fs.openSync(logPath(row, stream), 'r');
  } catch {
    return { data: '', offset, nextOffset: offset, eof: isTerminal(row.status), size: 0 };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const n = Math.max(0, Math.min(want, size - offset));
    const buf = Buffer.alloc(n);
    const read = n > 0 ? fs.readSync(fd, buf, 0, n, offset) : 0;
    // Never split a UTF-8 character: stop before an incomplete trailing sequence.
    let end = read;
    if (offset + read < size) end = utf8Boundary(buf, read);
    const next = offset + end;
    return {
      data: buf.subarray(0, end).toString('utf8'),
      offset,
      nextOffset: next,
      eof: isTerminal(row.status) && next >= size,
      size,
    };
  } finally {
    fs.closeSync(fd);
  }
}

function utf8Boundary(buf: Buffer, len: number): number {
  let i = len - 1;
  let cont = 0;
  while (i >= 0 && cont < 4 && (buf[i] & 0xc0) === 0x80) {
    i--;
    cont++;
  }
  if (i < 0) return len;
  const lead = buf[i];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > cont + 1 ? i : len;
}
