/**
 * Bounds on what one session's `report` messages may add to the server's metrics: a few TTFF samples (one
 * per stream the session starts; a viewer restarting streams reports again) and bytes no faster than a
 * link could carry them. Beyond that the figures would belong to whoever reports the most.
 */
import type { ServerTuning } from '../defaults.js';

interface SessionReports {
  since: number;
  ttffs: number;
  bytes: number;
}

const bySession = new WeakMap<object, SessionReports>();

export function boundedReport(
  session: object,
  report: { ttffMs?: number | undefined; bytes?: number | undefined },
  tuning: Pick<ServerTuning, 'maxTtffReportsPerSession' | 'maxReportedBytesPerSecond' | 'reportBurstSeconds'>,
  now = Date.now(),
): { ttffMs: number | undefined; bytes: number } {
  let state = bySession.get(session);
  if (!state) bySession.set(session, (state = { since: now, ttffs: 0, bytes: 0 }));
  let ttffMs: number | undefined;
  if (report.ttffMs !== undefined && state.ttffs < tuning.maxTtffReportsPerSession) {
    state.ttffs++;
    ttffMs = report.ttffMs;
  }
  const allowedTotal = tuning.maxReportedBytesPerSecond * ((now - state.since) / 1000 + tuning.reportBurstSeconds);
  const bytes = Math.max(0, Math.min(report.bytes ?? 0, allowedTotal - state.bytes));
  state.bytes += bytes;
  return { ttffMs, bytes };
}
