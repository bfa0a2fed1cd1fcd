/** Short, URL-safe, unguessable ids: one id space for jobs and batches. */
import { randomBytes } from 'crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const ID_PATTERN = /^[0-9a-z]{6,40}$/;

export function newId(length = 12): string {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[bytes[i] & 31];
  return s;
}

/** Many ids from one random draw (a 10,000-row batch needs 10,000). */
export function newIds(n: number, length = 12): string[] {
  const bytes = randomBytes(n * length);
  const out: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    let s = '';
    for (let i = 0; i < length; i++) s += ALPHABET[bytes[k * length + i] & 31];
    out[k] = s;
  }
  return out;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}
