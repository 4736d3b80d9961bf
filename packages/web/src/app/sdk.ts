/**
 * The app's one p2pModule (the browser sdk bundle) and its current sign-in. Signing in again destroys
 * the module and makes a new one, so no session of the previous app survives.
 */
import { errorMessages } from '@xp2p/protocol';
import {
  ApiError,
  createBrowserP2PModule,
  ErrorCode,
  fetchXp2pInfo,
  type AppParams,
  type P2PModule,
} from '@xp2p/sdk/browser';

export { ApiError, ErrorCode, fetchXp2pInfo, type AppParams, type P2PModule };

/** The guide's meaning of a code, or undefined for a code it does not list. */
export function errorMessagesFor(code: number): string | undefined {
  return (errorMessages as Readonly<Record<number, string>>)[code];
}

let current: { app: AppParams; p2p: P2PModule } | undefined;

export async function initP2P(app: AppParams): Promise<P2PModule> {
  current?.p2p.destroy();
  current = undefined;
  const p2p = createBrowserP2PModule();
  const code = await p2p.init({ appParams: app });
  if (code !== ErrorCode.OK) {
    const meaning = errorMessagesFor(code);
    throw new Error(`the sdk did not start (${code}${meaning ? `: ${meaning}` : ''})`);
  }
  current = { app, p2p };
  return p2p;
}

export function signedIn(): { app: AppParams; p2p: P2PModule } {
  if (!current) throw new Error('not signed in');
  return current;
}

export function signOutP2P(): void {
  current?.p2p.destroy();
  current = undefined;
}
