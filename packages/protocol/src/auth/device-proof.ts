/**
 * Device login: the server sends a random challenge, the device answers with
 * HMAC-SHA256(deviceSecret, "xp2p-device-login-v1\n" + productId/deviceName + "\n" + challenge).
 * The secret never crosses the wire, and a recorded answer is useless for the next challenge.
 */
import { base64UrlEncode } from '../bytes.js';
import { hmacSha256, timingSafeEqualText } from './hmac.js';

export async function deviceLoginProof(
  deviceSecret: string,
  productId: string,
  deviceName: string,
  challenge: string,
): Promise<string> {
  return base64UrlEncode(
    await hmacSha256(deviceSecret, `xp2p-device-login-v1\n${productId}/${deviceName}\n${challenge}`),
  );
}

export async function verifyDeviceLoginProof(
  deviceSecret: string,
  productId: string,
  deviceName: string,
  challenge: string,
  proof: string,
): Promise<boolean> {
  return timingSafeEqualText(await deviceLoginProof(deviceSecret, productId, deviceName, challenge), proof);
}
