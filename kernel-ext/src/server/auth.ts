/**
 * Tokens → actors. Server tokens come from the config (`users`) or --token (the current
 * OS user); job-scoped tokens (`job.<t>`) are minted per job and act as the job's owner,
 * only while the job runs, on the job and what it fanned out only (engine/access.ts).
 */
import { timingSafeEqual } from 'crypto';
import type { Actor } from '../engine/access';
import type { Store } from '../store';

export interface UserToken {
  token: string;
  user: string;
  admin?: boolean;
}

export class Auth {
  constructor(
    private tokens: UserToken[],
    private store: Store,
    private admins: Set<string>
  ) {}

  /** Extracts the token from `Authorization: token <T>` (or Bearer), else `?token=`. */
  static tokenFrom(header: string | undefined, query: unknown): string | null {
    if (header) {
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
      if (m) return m[1];
    }
    if (typeof query === 'string' && query.length > 0) return query;
    return null;
  }

  resolve(token: string | null): Actor | null {
    if (!token) return null;
    if (token.startsWith('job.')) {
      const t = token.slice(4);
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(t)) return null;
      const row = this.store.tokens.liveJob(t);
      if (!row) return null;
      const jobId = row.id;
      return {
        user: row.owner,
        admin: false,
        jobId,
        below: id => this.store.jobs.ancestors(id).includes(jobId),
      };
    }
    for (const u of this.tokens) {
      if (safeEqual(u.token, token))
        return { user: u.user, admin: !!u.admin || this.admins.has(u.user) };
    }
    return null;
  }
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
