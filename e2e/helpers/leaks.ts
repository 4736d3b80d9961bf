/**
 * Leak check for in-process tests (pion's CheckRoutines, werift's open-handles check): after a module is
 * destroyed, no socket, timer or handle it opened may remain.
 */
const counts = () => {
  const c = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) c.set(r, (c.get(r) ?? 0) + 1);
  return c;
};

export type ResourceSnapshot = Map<string, number>;

export const snapshotResources = (): ResourceSnapshot => counts();

/** Waits up to `ms` for resources to drop back to the snapshot; fails naming what is left. */
export async function expectNoLeaks(before: ResourceSnapshot, ms = 3000): Promise<void> {
  const extra = () => {
    const now = counts();
    return [...now].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k, n]) => `${k} +${n - (before.get(k) ?? 0)}`);
  };
  const until = Date.now() + ms;
  while (extra().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const left = extra();
  if (left.length > 0) {
    const sockets = (process as unknown as { _getActiveHandles(): { remotePort?: number; localPort?: number }[] })
      ._getActiveHandles()
      .filter((h) => h.remotePort !== undefined)
      .map((h) => `${h.localPort}->${h.remotePort}`);
    throw new Error(`resources left open: ${left.join(', ')} (sockets: ${sockets.join(' ')})`);
  }
}
