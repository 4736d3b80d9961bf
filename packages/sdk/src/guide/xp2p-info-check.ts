/**
 * An xp2pInfo checked against the camera it is used for. The server routes an offer by the token inside,
 * so a token naming another camera means the xp2pInfo was tampered with (or mixed up): refused before any
 * connect, whether it came from the app or from a renewal.
 */
import { decodeXp2pInfo, ErrorCode, peekViewerToken, XP2PError, type Xp2pInfo } from '@xp2p/protocol';

/** Decodes `text` (throws XP2PError -2001 on a bad one) and checks that it and its token name this camera. */
export function xp2pInfoFor(text: unknown, productId: string, deviceName: string): Xp2pInfo {
  const info = decodeXp2pInfo(text);
  if (info.payload.productId !== productId || info.payload.deviceName !== deviceName) {
    throw new XP2PError(ErrorCode.XP2P_INFO_ERROR, 'xp2pInfo belongs to another device');
  }
  const claims = peekViewerToken(info.payload.token);
  if (!claims || claims.productId !== productId || claims.deviceName !== deviceName) {
    throw new XP2PError(ErrorCode.XP2P_INFO_ERROR, 'xp2pInfo token does not match its device');
  }
  return info;
}
