/**
 * Resource samples of the soak's processes (RSS and open file descriptors from /proc; active timers from a
 * server node's /metrics, the only place they are reachable from outside), and whether they stayed flat.
 */
import { fdCountOf, rssOf } from '../scale/child-processes.js';
import type { Part } from './cast.js';
import { isRunning } from './cli-process.js';

export interface Sample {
  part: string;
  incarnation: number;
  /** seconds since this incarnation started */
  age: number;
  rss: number;
  fds: number;
  timers?: number;
}

async function timersOf(metricsUrl: string): Promise<number | undefined> {
  const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.text(),
    () => '',
  );
  const m = /^xp2p_process_nodejs_active_resources\{type="Timeout"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export async function sampleParts(parts: Part[], samples: Sample[]): Promise<void> {
  for (const part of parts) {
    if (!isRunning(part.proc)) continue;
    const pid = part.proc!.pid!;
    const timers = part.metricsUrl ? await timersOf(part.metricsUrl) : undefined;
    samples.push({
      part: part.name,
      incarnation: part.incarnation,
      age: Math.round((performance.now() - part.startedAt) / 1000),
      rss: rssOf(pid),
      fds: fdCountOf(pid),
      ...(timers === undefined ? {} : { timers }),
    });
  }
}

export interface Trend {
  part: string;
  /** seconds the judged incarnation ran past warm-up */
  span: number;
  rss: [number, number];
  fds: [number, number];
  timers?: [number, number];
  flat: boolean;
}

/** Allowed growth between the end of warm-up and the end: RSS ×1.25 (GC sawtooth), fds +8, timers +10. */
const RSS_GROWTH = 1.25;
const FD_GROWTH = 8;
const TIMER_GROWTH = 10;

/**
 * Per part, its longest-lived incarnation: the first sample at least `warmupS` after its start against the
 * last one (median of the last three for RSS, so one GC peak does not decide).
 */
export function trends(samples: Sample[], warmupS: number): Trend[] {
  const names = [...new Set(samples.map((s) => s.part))];
  return names.flatMap((name) => {
    const runs = new Map<number, Sample[]>();
    for (const s of samples.filter((x) => x.part === name && x.age >= warmupS)) {
      runs.set(s.incarnation, [...(runs.get(s.incarnation) ?? []), s]);
    }
    const longest = [...runs.values()].sort((a, b) => b.length - a.length)[0];
    if (!longest || longest.length < 2) return [];
    const first = longest[0]!;
    const tail = longest.slice(-3);
    const last = longest[longest.length - 1]!;
    const rssEnd = tail.map((s) => s.rss).sort((a, b) => a - b)[Math.floor(tail.length / 2)]!;
    const timers: [number, number] | undefined =
      first.timers !== undefined && last.timers !== undefined ? [first.timers, last.timers] : undefined;
    return [
      {
        part: name,
        span: last.age - first.age,
        rss: [first.rss, rssEnd],
        fds: [first.fds, last.fds],
        ...(timers ? { timers } : {}),
        flat:
          rssEnd <= first.rss * RSS_GROWTH &&
          last.fds <= first.fds + FD_GROWTH &&
          (!timers || timers[1] <= timers[0] + TIMER_GROWTH),
      },
    ];
  });
}
