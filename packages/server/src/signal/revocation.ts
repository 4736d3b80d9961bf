/**
 * Ends running sessions whose grant no longer holds: the user was unshared or removed, their role was
 * lowered below what the session was issued for, or the device was removed or moved to another app.
 * A periodic sweep rather than a message: changes made by `xp2p` on the database itself, or by another
 * node of the cluster, are seen the same way, and a node that missed a message cannot keep a session alive.
 */
import { roleCovers } from '@xp2p/protocol';
import type { Hub } from './hub.js';
import type { Session } from './registry.js';
import { shortId } from './hub.js';

async function stillAllowed(hub: Hub, session: Session): Promise<boolean> {
  const grant = session.grant;
  if (!grant) return true;
  const { productId, deviceName } = session.device;
  const device = await hub.findDevice(productId, deviceName);
  if (!device || device.appid !== grant.appid) return false;
  if (!grant.account) return true;
  const held = await hub.accounts.roleOf(grant.user, productId, deviceName);
  return held !== undefined && roleCovers(held, grant.role);
}

/** One sweep over the sessions whose viewer is on this node (the viewer's node owns the check). */
export async function revokeStaleSessions(hub: Hub): Promise<number> {
  let ended = 0;
  for (const session of [...hub.registry.sessions()]) {
    if (session.viewer.remoteNode !== undefined) continue;
    if (await stillAllowed(hub, session)) continue;
    if (!hub.registry.endSession(session.id)) continue; // ended meanwhile
    const reason = 'access revoked';
    session.device.channel.send({ type: 'bye', sessionId: session.id, reason });
    session.viewer.channel.send({ type: 'bye', sessionId: session.id, reason });
    hub.log(`session ${shortId(session.id)} ended: ${reason} (${session.grant?.user ?? '?'})`);
    ended++;
  }
  return ended;
}

/** Runs the sweep every `hub.tuning.revocationCheckMs`; returns the stop function. */
export function startRevocationSweep(hub: Hub): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow database: skip a beat rather than pile sweeps up
    running = true;
    revokeStaleSessions(hub)
      .catch((err: unknown) => hub.log(`revocation check failed: ${(err as Error).message}`))
      .finally(() => (running = false));
  }, hub.tuning.revocationCheckMs);
  timer.unref();
  return () => clearInterval(timer);
}
