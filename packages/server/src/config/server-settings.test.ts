import { describe, expect, it } from 'vitest';
import { createDevConfig } from './dev-config.js';
import { resolveServerSettings } from './server-settings.js';

const config = createDevConfig();

describe('resolveServerSettings', () => {
  it('takes the file, then the environment, then flags', () => {
    expect(resolveServerSettings(config, {}, {})).toMatchObject({ port: 18080, logFormat: 'text', redis: undefined });
    const env = { XP2P_PORT: '9000', XP2P_REDIS: 'redis://10.0.0.5:6379', XP2P_LOG_FORMAT: 'json' };
    expect(resolveServerSettings(config, env, {})).toMatchObject({
      port: 9000,
      redis: 'redis://10.0.0.5:6379',
      logFormat: 'json',
    });
    expect(resolveServerSettings(config, env, { port: '9100', 'log-format': 'text' })).toMatchObject({
      port: 9100,
      logFormat: 'text',
    });
    const withFile = {
      ...config,
      server: { ...config.server, publicUrl: 'https://cams.example.com', tls: { cert: 'c.pem', key: 'k.pem' } },
    };
    expect(resolveServerSettings(withFile, {}, {})).toMatchObject({
      publicUrl: 'https://cams.example.com',
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
    });
  });

  it('names the bad field and where it came from', () => {
    expect(() => resolveServerSettings(config, { XP2P_PORT: '70000' }, {})).toThrow(/^XP2P_PORT: must be 0–65535/);
    expect(() => resolveServerSettings(config, {}, { redis: 'http://x' })).toThrow(
      /^--redis: must be a redis:\/\/host:port URL/,
    );
    expect(() => resolveServerSettings(config, { XP2P_LOG_FORMAT: 'xml' }, {})).toThrow(
      /^XP2P_LOG_FORMAT: must be json or text/,
    );
    expect(() => resolveServerSettings(config, {}, { 'tls-cert': 'c.pem' })).toThrow(/--tls-key: TLS needs both/);
    expect(() => resolveServerSettings(config, { XP2P_TRUST_PROXY: 'maybe' }, {})).toThrow(/^XP2P_TRUST_PROXY: /);
  });

  it('takes STUN URLs to advertise from the file, a comma list in XP2P_ICE_SERVERS, or --ice-servers', () => {
    const withFile = { ...config, server: { ...config.server, iceServers: ['stun:stun.example.com:3478'] } };
    expect(resolveServerSettings(withFile, {}, {}).iceServers).toEqual(['stun:stun.example.com:3478']);
    expect(
      resolveServerSettings(config, { XP2P_ICE_SERVERS: 'stun:a.example:3478, stun:203.0.113.7' }, {}),
    ).toMatchObject({
      iceServers: ['stun:a.example:3478', 'stun:203.0.113.7'],
    });
    expect(resolveServerSettings(config, {}, { 'ice-servers': 'stuns:b.example:5349' }).iceServers).toEqual([
      'stuns:b.example:5349',
    ]);
    expect(resolveServerSettings(config, {}, {}).iceServers).toBeUndefined();
    expect(() => resolveServerSettings(config, {}, { 'ice-servers': 'turn:t.example:3478' })).toThrow(
      /^--ice-servers: a stun:host\[:port\] URL \(TURN goes in turn.urls/,
    );
  });
});
