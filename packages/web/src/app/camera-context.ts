/** What every panel of one camera's page shares: the camera, the signed-in sdk, and its live service. */
import type { Role } from './web-api.js';
import type { P2PModule } from './sdk.js';

export interface CameraRef {
  productId: string;
  deviceName: string;
}

export interface CameraContext {
  camera: CameraRef;
  /** the signed-in user's role on it (viewer: no talk, commands or downloads) */
  role: Role | undefined;
  p2p: P2PModule;
  /** The live view's service id; commands, talk and downloads run on its P2P session. */
  serviceId: string;
  /** Resolves true once the live service is connected; false (and the reason) when it failed. */
  connected(): Promise<{ ok: true } | { ok: false; why: string }>;
}

/** A part of the page: its element, and what to stop when the page closes. */
export interface Panel {
  el: HTMLElement;
  /** Called when the panel becomes visible (panels load their data then, not before). */
  show?(): void;
  close(): void;
}

export const cameraLabel = (c: CameraRef): string => `${c.productId}/${c.deviceName}`;
/** "P/D" for a URL hash, each part encoded */
export const cameraPath = (c: CameraRef): string =>
  `${encodeURIComponent(c.productId)}/${encodeURIComponent(c.deviceName)}`;
