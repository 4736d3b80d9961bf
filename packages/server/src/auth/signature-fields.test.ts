import { signedHostName } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { signedHostOf } from './signature-fields.js';

describe('the host a signature covers', () => {
  it('is the Host header, or a trusted proxy’s X-Forwarded-Host; never a client’s X-Forwarded-Host', () => {
    const headers = { host: 'node-1.internal:18080', 'x-forwarded-host': 'cams.example, evil.example' };
    expect(signedHostOf(headers, false)).toBe('node-1.internal:18080');
    expect(signedHostOf(headers, true)).toBe('cams.example');
    expect(signedHostOf({ host: 'cams.example' }, true)).toBe('cams.example');
    expect(signedHostOf({}, false)).toBeUndefined();
  });

  it('is signed as a lower-case name without its port', () => {
    expect(signedHostName('Cams.Example:8443')).toBe('cams.example');
    expect(signedHostName('[::1]:18080')).toBe('[::1]');
    expect(signedHostName('127.0.0.1')).toBe('127.0.0.1');
  });
});
