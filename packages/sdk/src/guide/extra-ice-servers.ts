/**
 * `init({ stunServers })` and `appParams.stunServers` feed ICE too, not only the NAT probe: a deployment
 * whose own STUN service is unreachable from some networks (or an app with its own STUN servers) gives every
 * peer connection those servers next to the ones the signalling server hands out. (Browsers use them all;
 * libdatachannel in Node picks one STUN server of the list at random, src/impl/icetransport.cpp.)
 */
import type { IceServer } from '@xp2p/protocol';
import type { StunServerAddress } from '../nat/probe.js';
import type { ModuleSignal } from './module-host.js';

/** The signalling connection, its `connect()` answering the server's ICE servers followed by the app's STUN servers. */
export function withAppStunServers(signal: ModuleSignal, stun: readonly StunServerAddress[]): ModuleSignal {
  if (stun.length === 0) return signal;
  const extra: IceServer[] = [{ urls: stun.map((s) => `stun:${s.host}:${s.port}`) }];
  return {
    get serverUrl() {
      return signal.serverUrl;
    },
    connect: async () => [...(await signal.connect()), ...extra],
    send: (msg) => signal.send(msg),
    onSession: (sessionId, listener) => signal.onSession(sessionId, listener),
    close: () => signal.close(),
  };
}
