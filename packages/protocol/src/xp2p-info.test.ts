import { describe, expect, it } from 'vitest';
import { ErrorCode, XP2PError } from './errors.js';
import { assertDeviceVersionSupported, decodeXp2pInfo, encodeXp2pInfo } from './xp2p-info.js';

const payload = {
  v: 1 as const,
  productId: 'demo',
  deviceName: 'cam1',
  token: 'abc.def',
  server: 'http://127.0.0.1:18080',
};

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof XP2PError ? err.code : undefined;
  }
  return 0;
}

describe('xp2pInfo codec', () => {
  it('round-trips the reference layout XP2P<base64>%<version><flags>', () => {
    const text = encodeXp2pInfo({ payload, deviceVersion: '2.4.50', flags: '' });
    expect(text).toMatch(/^XP2P[A-Za-z0-9+/=]+%2\.4\.50$/);
    expect(decodeXp2pInfo(text)).toEqual({ payload, deviceVersion: '2.4.50', flags: '' });
    expect(decodeXp2pInfo(`${text}x1`).flags).toBe('x1');
  });

  it.each([
    ['empty', ''],
    ['not a string', 42],
    ['wrong prefix', 'ABCDabc%2.4.50'],
    ['no version', `XP2P${btoa('{}')}`],
    ['bad version', `XP2P${btoa('{}')}%two`],
    ['not base64', 'XP2P***%2.4.50'],
    ['not json', `XP2P${btoa('hello')}%2.4.50`],
    ['missing fields', `XP2P${btoa(JSON.stringify({ v: 1, productId: 'demo' }))}%2.4.50`],
    ['too long', `XP2P${'A'.repeat(5000)}%2.4.50`],
  ])('rejects %s with -2001', (_why, text) => {
    expect(codeOf(() => decodeXp2pInfo(text))).toBe(ErrorCode.XP2P_INFO_ERROR);
  });

  it('refuses devices below 2.3.0 with -2005 and accepts 2.3.0 and later', () => {
    const at = (v: string) => decodeXp2pInfo(encodeXp2pInfo({ payload, deviceVersion: v, flags: '' }));
    expect(codeOf(() => assertDeviceVersionSupported(at('2.2.9')))).toBe(ErrorCode.DEVICE_VERSION_TOO_LOW);
    expect(codeOf(() => assertDeviceVersionSupported(at('1.9')))).toBe(ErrorCode.DEVICE_VERSION_TOO_LOW);
    expect(codeOf(() => assertDeviceVersionSupported(at('2.3.0')))).toBe(0);
    expect(codeOf(() => assertDeviceVersionSupported(at('2.10.1')))).toBe(0);
  });
});
