/** The NAT watch: first probe, re-probes, natChanged on a new public address or interfaces, natError. */
import { describe, expect, it } from 'vitest';
import { NatMonitor, parseStunUrl, stunServersOf, type NatChangedDetail, type NatErrorDetail } from './monitor.js';
import { waitUntil } from '@xp2p/testing';
import { changeableNat } from '@xp2p/testing/nat';

const fast = { rtoMs: 5, attempts: 2 };

function setup(interfaces: string[] = ['eth0/10.0.0.2']) {
  const net = changeableNat();
  const changed: NatChangedDetail[] = [];
  const errors: NatErrorDetail[] = [];
  const ifaces = { list: interfaces };
  const monitor = new NatMonitor({
    transport: net.transport,
    servers: async () => [{ host: 'stun.example.test', port: 3478 }],
    interfaces: () => ifaces.list,
    intervalMs: 0,
    errorCode: -2202,
    onChanged: (d) => changed.push(d),
    onError: (d) => errors.push(d),
    ...fast,
  });
  return { net, monitor, changed, errors, ifaces };
}

describe('NatMonitor', () => {
  it('keeps the result; a re-probe with the same public address fires nothing', async () => {
    const { net, monitor, changed, errors } = setup();
    expect(monitor.stats().state).toBe('idle');
    await monitor.probe('init');
    expect(monitor.stats()).toMatchObject({
      state: 'ok',
      behindNat: true,
      mapped: { address: '198.51.100.7' },
      mapping: 'unknown', // one plain STUN server: nothing to compare with
      natType: 'unknown',
      servers: ['stun.example.test:3478'],
      interfaces: ['eth0/10.0.0.2'],
      probes: 1,
    });
    await monitor.probe();
    expect(changed).toEqual([]);
    expect(errors).toEqual([]);
    expect(monitor.stats().probes).toBe(2);
    expect(net.openSockets()).toBe(0);
  });

  it('natChanged when the public address changes, and when the interfaces change', async () => {
    const { net, monitor, changed, ifaces } = setup();
    await monitor.probe('init');
    net.state.publicAddress = '203.0.113.99';
    await monitor.probe();
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      reasons: ['mapped-address'],
      previous: { mapped: { address: '198.51.100.7' } },
      current: { mapped: { address: '203.0.113.99' }, state: 'ok' },
    });
    ifaces.list = ['wlan0/192.168.1.5'];
    await monitor.probe();
    expect(changed[1]?.reasons).toEqual(['interfaces']);
    expect(changed[1]?.current.interfaces).toEqual(['wlan0/192.168.1.5']);
  });

  it('natError when no server answers; the previous result is kept; periodic failures are not repeated', async () => {
    const { net, monitor, errors } = setup();
    await monitor.probe('init');
    net.state.silent = true;
    await expect(monitor.probe()).rejects.toThrow(/no STUN server answered/);
    expect(errors).toEqual([
      { code: -2202, message: expect.stringMatching(/no STUN server/), servers: ['stun.example.test:3478'] },
    ]);
    expect(monitor.stats()).toMatchObject({ state: 'failed', mapped: { address: '198.51.100.7' }, probes: 2 });
    await expect(monitor.probe('periodic')).rejects.toThrow();
    expect(errors).toHaveLength(1);
    net.state.silent = false;
    await monitor.probe('periodic');
    expect(monitor.stats().state).toBe('ok');
    expect(monitor.stats().error).toBeUndefined();
    expect(net.openSockets()).toBe(0);
  });

  it('stop() aborts a running probe, closes its sockets and fires nothing afterwards', async () => {
    const { net, monitor, errors } = setup();
    net.state.silent = true;
    const p = monitor.probe('init');
    await new Promise((r) => setTimeout(r, 2));
    monitor.stop();
    await expect(p).rejects.toThrow();
    expect(errors).toEqual([]);
    expect(net.openSockets()).toBe(0);
    await expect(monitor.probe()).rejects.toThrow(/stopped/);
  });

  it('the periodic timer re-probes and is cleared by stop()', async () => {
    const net = changeableNat();
    const changed: NatChangedDetail[] = [];
    const monitor = new NatMonitor({
      transport: net.transport,
      servers: async () => [{ host: '192.0.2.1', port: 3478 }],
      intervalMs: 20,
      errorCode: -2202,
      onChanged: (d) => changed.push(d),
      onError: () => {},
      ...fast,
    });
    await monitor.probe('init');
    monitor.startTimer();
    net.state.publicAddress = '203.0.113.5';
    await waitUntil(() => changed.length > 0, { intervalMs: 10, what: 'natChanged from the periodic re-probe' });
    expect(changed[0]?.reasons).toEqual(['mapped-address']);
    monitor.stop();
    const probes = monitor.stats().probes;
    await new Promise((r) => setTimeout(r, 60)); // three periods without a probe
    expect(monitor.stats().probes).toBe(probes);
  });
});

it('a socket bound to 0.0.0.0 whose mapped address is one of our own (same port) is open, not NATed', async () => {
  const net = changeableNat({ localAddress: '0.0.0.0', publicAddress: '192.168.1.5' });
  // the fake maps port p to p + 10000; an identity mapping needs a transport that keeps the port
  const transport = {
    ...net.transport,
    async open() {
      const s = await net.transport.open();
      return {
        ...s,
        local: { address: '0.0.0.0', port: s.local.port + 10000 },
        send: s.send,
        onMessage: s.onMessage,
        close: s.close,
      };
    },
  };
  const monitor = new NatMonitor({
    transport,
    servers: async () => [{ host: '192.0.2.1', port: 3478 }],
    interfaces: () => ['lo/127.0.0.1', 'wlan0/192.168.1.5'],
    intervalMs: 0,
    errorCode: -2202,
    onChanged: () => {},
    onError: () => {},
    ...fast,
  });
  await monitor.probe('init');
  expect(monitor.stats()).toMatchObject({ behindNat: false, natType: 'open', mapping: 'endpoint-independent' });
});

describe('STUN server addresses', () => {
  it('parses the forms the guide allows', () => {
    expect(parseStunUrl('stun:stun.example.com:3479')).toEqual({ host: 'stun.example.com', port: 3479 });
    expect(parseStunUrl('stun:127.0.0.1:5000')).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(parseStunUrl('stun.example.com')).toEqual({ host: 'stun.example.com', port: 3478 });
    expect(parseStunUrl('1.2.3.4:19302')).toEqual({ host: '1.2.3.4', port: 19302 });
    expect(parseStunUrl('stun:[::1]:3478')).toBeUndefined();
    expect(parseStunUrl('stun:host:99999')).toBeUndefined();
    expect(parseStunUrl('')).toBeUndefined();
  });

  it('takes the stun: entries of the hello, not the TURN ones; 0.0.0.0 becomes the server host', () => {
    expect(
      stunServersOf(
        [
          { urls: 'stun:0.0.0.0:3478' },
          { urls: ['turn:relay.example.com:3478?transport=udp'], username: 'u', credential: 'c' },
          { urls: ['stun:a.example.com:1', 'turns:x:5349'] },
        ],
        'sig.example.com',
      ),
    ).toEqual([
      { host: 'sig.example.com', port: 3478 },
      { host: 'a.example.com', port: 1 },
    ]);
  });
});
