/**
 * The app's one p2pModule (the browser sdk bundle) and its current sign-in. The module signals with
 * tickets the server issues to this browser's session (a fresh one per socket), never with an app secret.
 * Signing in again destroys the module and makes a new one, so no session of the previous user survives.
 */
import { errorMessages } from '@xp2p/protocol';
import { ApiError, createBrowserP2PModule, ErrorCode, type P2PModule } from '@xp2p/sdk/browser';

export { ApiError, ErrorCode, type P2PModule };

/** The guide's meaning of a code, or undefined for a code it does not list. */
export function errorMessagesFor(code: number): string | undefined {
  return (errorMessages as Readonly<Record<number, string>>)[code];
}

let current: P2PModule | undefined;

export interface PageCredentials {
  appid: string;
  serverUrl: string;
  /** fetches a fresh signalling ticket from the page's server */
  ticket: () => Promise<string>;
  /** a fresh xp2pInfo for a camera whose token expired */
  renewXp2pInfo: (device: { productId: string; deviceName: string }) => Promise<string>;
}

export async function initP2P(c: PageCredentials): Promise<P2PModule> {
  current?.destroy();
  current = undefined;
  const p2p = createBrowserP2PModule();
  const code = await p2p.init({
    appParams: { appid: c.appid, serverUrl: c.serverUrl },
    ticket: c.ticket,
    renewXp2pInfo: c.renewXp2pInfo,
  });
  if (code !== ErrorCode.OK) {
    const meaning = errorMessagesFor(code);
    throw new Error(`the sdk did not start (${code}${meaning ? `: ${meaning}` : ''})`);
  }
  current = p2p;
  return p2p;
}

export function signedIn(): P2PModule {
  if (!current) throw new Error('not signed in');
  return current;
}

export function signOutP2P(): void {
  current?.destroy();
  current = undefined;
}
