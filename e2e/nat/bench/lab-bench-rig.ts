/**
 * What the parts of `npm run bench:lab` share: the lab with its system, the hosts, how to run a process to
 * its end and read its JSON lines, and the figures and log they fill.
 */
import { jsonLines, type LabHost, type NatLab, type NsProcess } from '../lab.js';
import type { LabSystem } from '../lab-system.js';

export interface LabBenchRig {
  lab: NatLab;
  sys: LabSystem;
  /** the cone viewer (port-restricted NAT) and the camera (address-restricted) */
  viewer: LabHost;
  camera: LabHost;
  /** `<product>/<device>` of the camera */
  device: string;
  figures: Record<string, number | undefined>;
  log: string[];
}

export const percentile = (values: number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

export const round1 = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 10) / 10);

/** The process's JSON lines once it exited (killed after `timeoutMs`). */
export async function finished(p: NsProcess, timeoutMs: number): Promise<Record<string, unknown>[]> {
  const timer = setTimeout(() => void p.kill(), timeoutMs);
  await p.exited;
  clearTimeout(timer);
  return jsonLines(p);
}
