import { describe, expect, it } from 'vitest';
import { InsecureTransportError, isLoopbackHost, plaintextProblem, requireSecureUrls } from './secure-transport.js';

describe('secure transport policy', () => {
  it('allows TLS anywhere and plaintext on loopback only', () => {
    for (const ok of [
      'https://cam.example.com',
      'wss://10.0.0.5:443/x',
      'http://127.0.0.1:18080',
      'ws://localhost:1',
      'http://[::1]:80',
      'http://127.3.2.1',
    ]) {
      expect(plaintextProblem(ok), ok).toBeUndefined();
    }
    for (const bad of [
      'http://10.0.0.5:18080',
      'ws://cam.example.com',
      'http://0.0.0.0:18080',
      'http://[fe80::1]:1',
      'http://127.0.0.1.evil.example',
    ]) {
      expect(plaintextProblem(bad), bad).toMatch(/plaintext/);
    }
    expect(isLoopbackHost('[::1]')).toBe(true);
  });

  it('throws a typed error unless insecure', () => {
    expect(() => requireSecureUrls(['http://127.0.0.1:1', 'http://192.0.2.1:1'], false)).toThrow(
      InsecureTransportError,
    );
    expect(() => requireSecureUrls(['http://192.0.2.1:1'], true)).not.toThrow();
  });
});
