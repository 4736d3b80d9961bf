/** One line of `xp2p doctor`: what was checked, how it went, and what to do when it did not. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** short name, e.g. "tls" */
  name: string;
  status: CheckStatus;
  /** what was found, e.g. "certificate valid for cam.example.com, 63 days left" */
  detail: string;
  /** what to do about a warn or fail */
  fix?: string;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** The printed line: `ok   tls        certificate valid ... (fix: ...)`. */
export function formatCheck(r: CheckResult): string {
  return `${MARK[r.status]} ${r.name.padEnd(10)} ${r.detail}${r.fix && r.status !== 'ok' ? ` — fix: ${r.fix}` : ''}`;
}

/** Runs a check, turning an unexpected throw into a failed line rather than a crash. */
export async function guarded(name: string, fn: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await fn();
  } catch (err) {
    return { name, status: 'fail', detail: `check crashed: ${(err as Error).message}` };
  }
}
