/**
 * Shell commands the camera runs for viewers (custom commands, talkback players) start in a process
 * group of their own, so a timeout kills everything they started: killing only `sh` leaves its children
 * running, holding the output pipe open (the command then never ends) and piling up one per request.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export function spawnShellGroup(commandLine: string, options: SpawnOptions): ChildProcess {
  // detached makes the child the leader of a new process group (setsid) whose id is its pid
  return spawn('sh', ['-c', commandLine], { ...options, detached: true });
}

/** Signals every process of the child's group; a group already gone is fine. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the whole group has exited
  }
}
