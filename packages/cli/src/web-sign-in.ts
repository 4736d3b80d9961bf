/**
 * The `web:` line of `xp2p demo` and of `xp2p server` on a development data directory: a one-time link
 * that signs the browser in as the demo user (created on first start, owner of demo/cam1) and opens the
 * demo camera, like Jupyter's token URL. Valid once, for SERVER_DEFAULTS.signInTokenTtlSeconds; another
 * comes with the next start. Scripts and tests read this line.
 */
import { DEMO_CAMERA, ensureDemoUser, SERVER_DEFAULTS, type RunningServer } from '@xp2p/server';

export async function webSignInLine(server: RunningServer, dataDir: string): Promise<string> {
  const user = await ensureDemoUser(server.accounts, dataDir);
  if (!user) return `web: ${server.url}/`;
  const link = await server.signInLink(user);
  const minutes = Math.round(SERVER_DEFAULTS.signInTokenTtlSeconds / 60);
  return `web: ${link}#/camera/${DEMO_CAMERA.productId}/${DEMO_CAMERA.deviceName} (signs in as ${user} once, within ${minutes} min)`;
}
