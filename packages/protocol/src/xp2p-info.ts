/**
 * xp2pInfo: `XP2P<base64 payload>%<device p2p version>[flags]` (reference-facts.md), e.g. `XP2Pey...==%2.4.50`.
 * Our payload is JSON naming the device, the viewer token the server signed for this app and device,
 * and optionally the signalling server that issued it. Malformed → -2001; a device older than 2.3.0 → -2005
 * (checked by the viewer when it starts a service, see `assertDeviceVersionSupported`).
 */
import * as z from 'zod/mini';
import { text } from './schema.js';
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from './bytes.js';
import { ErrorCode, XP2PError } from './errors.js';
import { compareVersions, MIN_DEVICE_VERSION } from './version.js';

export const XP2P_INFO_MAX_LENGTH = 4096;
const PREFIX = 'XP2P';

const payloadSchema = z.object({
  v: z.literal(1),
  productId: text(64, 1),
  deviceName: text(64, 1),
  token: text(1024, 1),
  server: z.optional(text(512)),
});
export type Xp2pInfoPayload = z.infer<typeof payloadSchema>;

export interface Xp2pInfo {
  payload: Xp2pInfoPayload;
  deviceVersion: string;
  /** whatever follows the version, kept opaque like the reference system's flags */
  flags: string;
}

export function encodeXp2pInfo(info: Xp2pInfo): string {
  const body = base64Encode(utf8Encode(JSON.stringify(info.payload)));
  return `${PREFIX}${body}%${info.deviceVersion}${info.flags}`;
}

/** Parses an xp2pInfo string; any defect throws XP2PError(-2001) saying what is wrong. */
export function decodeXp2pInfo(text: unknown): Xp2pInfo {
  const fail = (why: string): never => {
    throw new XP2PError(ErrorCode.XP2P_INFO_ERROR, why);
  };
  if (typeof text !== 'string' || text.length === 0) return fail('xp2pInfo must be a non-empty string');
  if (text.length > XP2P_INFO_MAX_LENGTH) return fail(`longer than ${XP2P_INFO_MAX_LENGTH} characters`);
  if (!text.startsWith(PREFIX)) return fail(`does not start with "${PREFIX}"`);
  const percent = text.lastIndexOf('%');
  if (percent < 0) return fail('no "%<device version>" part');
  const versionPart = /^(\d+(?:\.\d+){1,3})(.*)$/.exec(text.slice(percent + 1));
  if (!versionPart) return fail('device version after "%" is not like 2.4.50');
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(base64Decode(text.slice(PREFIX.length, percent))));
  } catch {
    return fail('payload is not base64 JSON');
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return fail('payload fields are missing or wrong');
  return { payload: parsed.data, deviceVersion: versionPart[1] ?? '', flags: versionPart[2] ?? '' };
}

export function assertDeviceVersionSupported(info: Xp2pInfo): void {
  if (compareVersions(info.deviceVersion, MIN_DEVICE_VERSION) < 0) {
    throw new XP2PError(
      ErrorCode.DEVICE_VERSION_TOO_LOW,
      `device reports ${info.deviceVersion}, minimum is ${MIN_DEVICE_VERSION}`,
    );
  }
}
