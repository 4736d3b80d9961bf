/** The server's app API, signed with the app secret (the same scheme the sdk uses). */
import { appSignatureHeaders, signAppRequest } from '@xp2p/protocol';
import { ApiError, fetchXp2pInfo, type AppParams } from './sdk.js';

export interface CameraStatus {
  productId: string;
  deviceName: string;
  online: boolean;
  version?: string;
  /** viewers connected now */
  viewers: number;
}

export async function listCameras(app: AppParams): Promise<CameraStatus[]> {
  const path = '/api/devices';
  const sig = await signAppRequest(app, 'GET', `${serverBase(app)}${path}`);
  let res: Response;
  try {
    res = await fetch(`${serverBase(app)}${path}`, { headers: appSignatureHeaders(sig), cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, `${serverBase(app)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = (await res.json().catch(() => ({}))) as { devices?: CameraStatus[]; error?: { message?: string } };
  if (!res.ok || !Array.isArray(json.devices)) {
    throw new ApiError(res.status, json.error?.message ?? `server answered ${res.status}`);
  }
  return json.devices;
}

export async function xp2pInfoFor(app: AppParams, camera: { productId: string; deviceName: string }): Promise<string> {
  return (await fetchXp2pInfo(app, camera)).xp2pInfo;
}

function serverBase(app: AppParams): string {
  const first = Array.isArray(app.serverUrl) ? app.serverUrl[0] : app.serverUrl?.split(',')[0];
  return (first ?? location.origin).replace(/\/$/, '');
}
