/**
 * A full camera's 1vN stream (1v1 → 1vN): when its live viewer cap is reached, a camera publishes the asked
 * channel and quality to its node's origin and hands the stream's name to the refused viewer, inside its
 * answer on that viewer's DTLS session (so only a viewer whose token the camera accepted learns it).
 *
 * Who may do what, and how this file makes it so:
 * - Read: origin reads are open to whoever knows a name, so a camera stream's name is a capability:
 *   `cam-` + 128 random bits + a tag, never derived from the device's identity, new for every publish, and
 *   never listed by the server (`isCameraStreamName`). A viewer of another device (or tenant) cannot
 *   guess it, and a name from an earlier publish is dead once that publish ended.
 * - Publish: only the camera. The tag binds the name to the device's secret (HMAC over its id and the
 *   nonce), and the publish key is an HMAC of the name under the same secret; the server, which knows the
 *   device secrets, checks both (`checkCameraPublish`). Another device cannot make a valid name-and-key
 *   pair for this camera's name (its own secret gives another tag), a viewer holds no secret at all, and
 *   the operator's master publish key does not publish `cam-` names.
 */
import { base64UrlEncode } from '../bytes.js';
import { hmacSha256, randomId, timingSafeEqualText } from './hmac.js';

export const CAMERA_STREAM_PREFIX = 'cam-';
/** The camera's publish request names its device (productId/deviceName) in this header, its key in x-publish-key. */
export const CAMERA_DEVICE_HEADER = 'x-xp2p-device';
/**
 * A viewer that may be switched to 1vN says so in its live request (`...&xp2p_1vn=1`); a full camera then
 * answers 503 with the stream's name in the head's header `x-xp2p-1vn`.
 */
export const ONE_TO_MANY_QUERY = 'xp2p_1vn';
export const ONE_TO_MANY_HEADER = 'x-xp2p-1vn';
/**
 * With it, the stream's public key (record-signature.ts): the camera derives it from its publish key, so the
 * viewer checks every record the node relays against a key that came end to end from the camera.
 */
export const ONE_TO_MANY_KEY_HEADER = 'x-xp2p-1vn-pk';

const NONCE_BYTES = 16;
const TAG_BYTES = 16;
/** base64url of 16 bytes */
const B64_16 = '[A-Za-z0-9_-]{22}';
const CAMERA_STREAM_NAME = new RegExp(`^${CAMERA_STREAM_PREFIX}(${B64_16})(${B64_16})$`);

const TAG_CONTEXT = 'xp2p-camera-stream\n';
const KEY_CONTEXT = 'xp2p-camera-publish\n';

/** Is `name` a camera's 1vN stream (private: not listed, published only with its camera's credential)? */
export function isCameraStreamName(name: string): boolean {
  return name.startsWith(CAMERA_STREAM_PREFIX);
}

/** Is `name` exactly what newCameraStream makes (a viewer checks the name a camera hands it)? */
export function validCameraStreamName(name: string): boolean {
  return CAMERA_STREAM_NAME.test(name);
}

async function tagOf(secret: string, device: string, nonce: string): Promise<string> {
  const mac = await hmacSha256(secret, `${TAG_CONTEXT}${device}\n${nonce}`);
  return base64UrlEncode(mac.subarray(0, TAG_BYTES));
}

/** The key that publishes `name` for `device` ("productId/deviceName"). */
export async function cameraPublishKey(secret: string, device: string, name: string): Promise<string> {
  return base64UrlEncode(await hmacSha256(secret, `${KEY_CONTEXT}${device}\n${name}`));
}

/** A fresh stream name and its publish key, for one publish of the camera `device` ("productId/deviceName"). */
export async function newCameraStream(secret: string, device: string): Promise<{ name: string; key: string }> {
  const nonce = randomId(NONCE_BYTES);
  const name = `${CAMERA_STREAM_PREFIX}${nonce}${await tagOf(secret, device, nonce)}`;
  return { name, key: await cameraPublishKey(secret, device, name) };
}

/** Server side: was `name` made by this device, and is `key` its publish key? Constant-time compares. */
export async function checkCameraPublish(secret: string, device: string, name: string, key: string): Promise<boolean> {
  const m = CAMERA_STREAM_NAME.exec(name);
  if (!m) return false;
  const tagOk = timingSafeEqualText(m[2]!, await tagOf(secret, device, m[1]!));
  const keyOk = timingSafeEqualText(key, await cameraPublishKey(secret, device, name));
  return tagOk && keyOk;
}
