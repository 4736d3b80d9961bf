/**
 * Leak check for in-process tests (pion's CheckRoutines, werift's open-handles check): after a module or
 * server is closed, no socket, timer or handle it opened may remain.
 */
import { waitUntil } from './wait-until.js';

export type ResourceSnapshot = Map<string, number>;

/** How many of each kind of resource (TCPSocketWrap, Timeout, ...) keeps the process alive now. */
export function snapshotResources(): ResourceSnapshot {
  const c: ResourceSnapshot = new Map();
  for (const r of process.getActiveResourcesInfo()) c.set(r, (c.get(r) ?? 0) + 1);
  return c;
}

/** The resources open now beyond `before`, as "Kind +n" ([] when none). */
export function resourcesAbove(before: ResourceSnapshot): string[] {
  return [...snapshotResources()]
    .filter(([k, n]) => n > (before.get(k) ?? 0))
    .map(([k, n]) => `${k} +${n - (before.get(k) ?? 0)}`);
}

/** Waits up to `ms` for resources to drop back to the snapshot; fails naming what is left. */
export async function expectNoLeaks(before: ResourceSnapshot, ms = 3000): Promise<void> {
  const describeLeft = (): string => {
    const sockets = (process as unknown as { _getActiveHandles(): { remotePort?: number; localPort?: number }[] })
      ._getActiveHandles()
      .filter((h) => h.remotePort !== undefined)
      .map((h) => `${h.localPort}->${h.remotePort}`);
    return `no resources left open, but ${resourcesAbove(before).join(', ')} are (sockets: ${sockets.join(' ')})`;
  };
  await waitUntil(() => resourcesAbove(before).length === 0, { timeoutMs: ms, intervalMs: 100, what: describeLeft });
}
