/**
 * The probe over real UDP on loopback: against the project's own STUN server (plain Binding service:
 * no RFC 5780), and with two plain servers. Nothing leaves 127.0.0.1; every socket is closed.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
// test-only: the real server's STUN service (the sdk itself never depends on the server)
import { startServer, type RunningServer } from '@xp2p/server';
import { nodeUdpTransport } from '@xp2p/sdk/node';
import { probeNat, stunBinding } from '@xp2p/sdk';
import { waitUntil } from '@xp2p/testing';

const secret = () => randomBytes(24).toString('hex');
const config = () => ({
  version: 1 as const,
  server: { host: '127.0.0.1', port: 0, stunPort: 0 },
  apps: [{ appid: 'a', appOauthId: 'o', appKey: 'k', appSecretKey: secret(), appPackage: 'p' }],
  devices: [],
  publishKey: secret(),
});
const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('NAT probe over node:dgram', () => {
  it("gets the mapped address from the project's STUN server and classifies loopback as open", async () => {
    const before = udpHandles();
    const server = await startServer({ config: config(), host: '127.0.0.1', port: 0, stunPort: 0 });
    servers.push(server);
    const socket = await nodeUdpTransport.open({ bindAddress: '127.0.0.1' });
    try {
      const r = await stunBinding(socket, { address: '127.0.0.1', port: server.stunPort });
      expect(r?.response?.mapped).toEqual({ address: '127.0.0.1', port: socket.local.port });
      expect(r?.response?.otherAddress).toBeUndefined(); // plain Binding service, no RFC 5780
    } finally {
      socket.close();
    }
    const probe = await probeNat({
      transport: nodeUdpTransport,
      servers: [{ host: 'localhost', port: server.stunPort }], // a DNS name
      bindAddress: '127.0.0.1',
    });
    expect(probe).toMatchObject({ behindNat: false, natType: 'open', rfc5780: false, mapping: 'endpoint-independent' });
    expect(probe.mapped).toEqual(probe.local);
    await server.close();
    // dgram sockets go away on the next turns of the event loop after close()
    await waitUntil(() => udpHandles() <= before, { intervalMs: 20, what: 'the STUN server to close its UDP sockets' });
    expect(udpHandles()).toBe(before);
  });

  it('two plain servers: same mapping from both → endpoint-independent; a silent server is skipped', async () => {
    const a = await startServer({ config: config(), host: '127.0.0.1', port: 0, stunPort: 0 });
    const b = await startServer({ config: config(), host: '127.0.0.1', port: 0, stunPort: 0 });
    servers.push(a, b);
    const probe = await probeNat({
      transport: nodeUdpTransport,
      servers: [
        { host: '127.0.0.1', port: a.stunPort },
        { host: '127.0.0.1', port: 9 }, // discard port: no answer
        { host: '127.0.0.1', port: b.stunPort },
      ],
      bindAddress: '127.0.0.1',
      rtoMs: 50,
      attempts: 2,
    });
    expect(probe.observations.map((o) => o.server.port)).toEqual([a.stunPort, b.stunPort]);
    expect(probe.mapping).toBe('endpoint-independent');
    expect(probe.filtering).toBe('unknown');
  });
});
