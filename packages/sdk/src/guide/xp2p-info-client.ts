/**
 * What an app's backend (or the app itself) does before startP2PService: ask the server for the
 * camera's current xp2pInfo, with a request signed by the app's credentials.
 */
import { appSignatureHeaders, describeError, signAppRequest } from '@xp2p/protocol';
import { serverUrlsOf, type AppParams } from '../app-params.js';
import { SDK_DEFAULTS } from '../defaults.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchXp2pInfo(
  app: AppParams,
  device: { productId: string; deviceName: string },
  fetchImpl: typeof fetch = fetch,
): Promise<{ xp2pInfo: string; expiresAt: number }> {
  // Several nodes of one cluster: any of them answers; move on when one is unreachable or failing (5xx).
  const servers = serverUrlsOf(app, SDK_DEFAULTS.serverUrl);
  let lastError: ApiError | undefined;
  for (const server of servers) {
    try {
      return await fetchFrom(server, app, device, fetchImpl);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 0 && err.status < 500)) throw err;
      lastError = err;
    }
  }
  throw lastError!;
}

async function fetchFrom(
  server: string,
  app: AppParams,
  device: { productId: string; deviceName: string },
  fetchImpl: typeof fetch,
): Promise<{ xp2pInfo: string; expiresAt: number }> {
  const path = '/api/xp2pinfo';
  const body = JSON.stringify({ productId: device.productId, deviceName: device.deviceName });
  const sig = await signAppRequest(app, 'POST', `${server}${path}`, body);
  let res: Response;
  try {
    res = await fetchImpl(`${server}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...appSignatureHeaders(sig) },
      body,
    });
  } catch (err) {
    throw new ApiError(0, `cannot reach the server at ${server}: ${describeError(err)}`);
  }
  const json = (await res.json().catch(() => ({}))) as {
    xp2pInfo?: string;
    expiresAt?: number;
    error?: { message?: string };
  };
  if (!res.ok || typeof json.xp2pInfo !== 'string') {
    throw new ApiError(res.status, json.error?.message ?? `server answered ${res.status}`);
  }
  return { xp2pInfo: json.xp2pInfo, expiresAt: json.expiresAt ?? 0 };
}
