// One request-path rule on both ends: the viewer's URL parser (parseDeviceRequestUrl) and the camera's
// request frame parser (parseRequestFrame) must give every path the same verdict. Before they shared
// REQUEST_PATH_PATTERN the frame schema accepted `..`, `../etc/passwd` and `a/../b`, which the URL parser
// refused: a viewer bypassing the sdk could put a parent step in front of the camera's router.
import { describe, expect, it } from 'vitest';
import { ErrorCode, XP2PError } from '../errors.js';
import { deviceRequestUrl, parseDeviceRequestUrl } from '../request-url.js';
import { parseRequestFrame } from './messages.js';

const frame = (path: string): string => JSON.stringify({ type: 'request', v: 1, path, query: '' });

function urlVerdict(path: string): 'accepted' | 'refused' {
  try {
    parseDeviceRequestUrl(deviceRequestUrl({ path, query: 'action=live' }));
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(XP2PError);
    expect((err as XP2PError).code).toBe(ErrorCode.PARAM_ERROR);
    return 'refused';
  }
}

describe('request path rule', () => {
  it.each([
    ['ipc.flv', 'accepted', 'ipc.flv'],
    ['voice', 'accepted', 'voice'],
    ['a nested name', 'accepted', 'dir/file_1-2.flv'],
    ['256 characters', 'accepted', 'x'.repeat(256)],
    ['..', 'refused', '..'],
    ['../etc/passwd', 'refused', '../etc/passwd'],
    ['a/../b', 'refused', 'a/../b'],
    ['a..b', 'refused', 'a..b'],
    ['a space', 'refused', 'a b'],
    ['an encoded dot', 'refused', 'a%2e%2e'],
    ['257 characters', 'refused', 'x'.repeat(257)],
  ])('%s is %s by the viewer URL parser and the camera frame parser alike', (_label, verdict, path) => {
    expect(urlVerdict(path)).toBe(verdict);
    expect(parseRequestFrame(frame(path)).ok).toBe(verdict === 'accepted');
  });

  it('refuses an empty path in a frame', () => {
    expect(parseRequestFrame(frame('')).ok).toBe(false);
  });
});
