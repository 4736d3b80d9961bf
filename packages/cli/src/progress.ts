/**
 * A one-line progress bar on stderr, for long commands (downloads, benchmarks). Drawn only when stderr is a
 * terminal: piped or logged output (CI, systemd) gets no carriage-return noise. Redrawn at most every 100 ms.
 */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** `done` of `total` (total 0: unknown, the bar stays empty) */
  update(done: number, total: number): void;
  /** draws the last state and ends the line */
  finish(): void;
}

const WIDTH = 30;
const REDRAW_MS = 100;

/** `describe(done, total)` is the text after the bar, e.g. `12.0/40.0 MB`. */
export function progressBar(
  describe: (done: number, total: number) => string,
  stream: ProgressStream = process.stderr,
  now: () => number = () => performance.now(),
): Progress {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
  let last = { done: 0, total: 0 };
  let drawnAt = -Infinity;
  let drawn = false;
  const draw = () => {
    const { done, total } = last;
    const filled = total > 0 ? Math.min(WIDTH, Math.round((done / total) * WIDTH)) : 0;
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${describe(done, total)}`);
    drawnAt = now();
    drawn = true;
  };
  return {
    update(done, total) {
      last = { done, total };
      if (now() - drawnAt >= REDRAW_MS) draw();
    },
    finish() {
      if (!drawn && last.total === 0 && last.done === 0) return;
      draw();
      stream.write('\n');
    },
  };
}
