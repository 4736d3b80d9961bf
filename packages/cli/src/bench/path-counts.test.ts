import { describe, expect, it } from 'vitest';
import { countPaths, describePathFigures, describePaths, pathFigures } from './path-counts.js';

describe('bench path counts', () => {
  it('reports every run under its path, direct paths first', () => {
    const paths = ['relay', 'host', 'host', undefined, 'srflx', 'host'];
    expect([...countPaths(paths)]).toEqual([
      ['host', 3],
      ['srflx', 1],
      ['relay', 1],
      ['unknown', 1],
    ]);
    expect(describePaths(paths)).toBe('host 3/6, srflx 1/6, relay 1/6, unknown 1/6');
  });

  it('gives a numeric figure for every path, 0 for those not seen', () => {
    const none = { ttff_path_srflx_runs: 0, ttff_path_prflx_runs: 0, ttff_path_relay_runs: 0 };
    expect(pathFigures(['host', 'host'])).toEqual({ ttff_path_host_runs: 2, ...none, ttff_path_unknown_runs: 0 });
    expect(pathFigures(['bogus'])).toEqual({ ttff_path_host_runs: 0, ...none, ttff_path_unknown_runs: 1 });
    expect(describePaths([])).toBe('no runs');
  });

  it('reads the report line back from the figures of results.json', () => {
    const paths = ['host', 'relay', 'host', undefined];
    expect(describePathFigures(pathFigures(paths))).toBe(describePaths(paths));
    expect(describePathFigures({})).toBe('not measured');
  });
});
