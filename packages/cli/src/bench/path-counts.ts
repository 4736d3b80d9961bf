/**
 * Which ICE path (host / srflx / prflx / relay) the cold TTFF runs took, so a benchmark figure is never
 * read as "direct" when some runs went through a relay.
 */

const PATHS = ['host', 'srflx', 'prflx', 'relay'];

/** Runs per path, in a fixed order (direct paths first), with `unknown` for runs whose stats had none. */
export function countPaths(paths: (string | undefined)[]): Map<string, number> {
  const order = PATHS;
  const counts = new Map<string, number>();
  for (const p of paths) {
    const key = p && order.includes(p) ? p : 'unknown';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => rank(order, a) - rank(order, b)));
}

/** "host 24/25, relay 1/25": the report line for the selected paths. */
export function describePaths(paths: (string | undefined)[]): string {
  if (paths.length === 0) return 'no runs';
  return [...countPaths(paths)].map(([path, n]) => `${path} ${n}/${paths.length}`).join(', ');
}

/**
 * Numeric figures for bench/results.json: `ttff_path_<path>_runs` for every path, 0 included, because
 * results.json is merged by name and a figure left out would keep an older run's count.
 */
export function pathFigures(paths: (string | undefined)[]): Record<string, number> {
  const counts = countPaths(paths);
  return Object.fromEntries([...PATHS, 'unknown'].map((path) => [`ttff_path_${path}_runs`, counts.get(path) ?? 0]));
}

/** The report line again, from the `ttff_path_<path>_runs` figures of bench/results.json. */
export function describePathFigures(figures: Record<string, number>): string {
  const paths = [...PATHS, 'unknown'].flatMap((path) =>
    Array<string>(figures[`ttff_path_${path}_runs`] ?? 0).fill(path),
  );
  return paths.length === 0 ? 'not measured' : describePaths(paths);
}

function rank(order: string[], path: string): number {
  const i = order.indexOf(path);
  return i === -1 ? order.length : i;
}
