/**
 * CPU time and resident memory of another process, from Linux's /proc (proc(5)): utime + stime of
 * /proc/PID/stat in clock ticks, VmRSS of /proc/PID/status. The camera-agent bench samples `xp2p device`
 * with it, from outside, as `top` would.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

export interface ProcessSample {
  /** seconds of CPU the process used so far (user + system) */
  cpuSeconds: number;
  rssBytes: number;
}

export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces and parentheses: count fields after its closing ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  return { cpuSeconds: (utime + stime) / clockTicks(), rssBytes: rssKb * 1024 };
}
