/**
 * The one rule for a 1v1 request path (the part after `ipc.p2p.com/`, e.g. `ipc.flv`, `voice`): letters,
 * digits, `_ . / -`, 1 to 256 characters, and never `..` anywhere. The viewer checks it before sending
 * (parseDeviceRequestUrl) and the camera checks it again on every request frame (requestFrameSchema), so a
 * peer that skips the sdk cannot hand the camera's router a parent step. `..` is refused even inside a
 * name (`a..b`): no path the guide uses contains it, and a simple rule is easier to get right on both ends.
 */
export const REQUEST_PATH_MAX_LENGTH = 256;

export const REQUEST_PATH_PATTERN = /^(?!.*\.\.)[A-Za-z0-9_./-]{1,256}$/;

export const isRequestPath = (path: string): boolean => REQUEST_PATH_PATTERN.test(path);
