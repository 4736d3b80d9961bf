/**
 * init's NAT watch (nat/monitor.ts) wired to this module: the STUN servers are the signalling server's own
 * (from its hello) plus the app's; natChanged / natError go to init's eventHandler.
 */
import { ErrorCode } from '@xp2p/protocol';
import type { SDK_DEFAULTS } from '../defaults.js';
import { NatMonitor, stunServersOf } from '../nat/monitor.js';
import type { StunServerAddress } from '../nat/probe.js';
import type { Platform } from '../platform.js';
import type { ModuleSignal } from './module-host.js';
import { describe } from './validate.js';

export interface NatSetup {
  platform: Platform;
  config: typeof SDK_DEFAULTS;
  signal: ModuleSignal;
  extraStun: StunServerAddress[];
  /** 'off': no periodic re-probe */
  periodic: boolean;
  emit: (event: 'natChanged' | 'natError', detail: unknown) => void;
}

/** The module's NAT monitor, or undefined where the platform cannot probe. */
export function createNatMonitor(s: NatSetup): NatMonitor | undefined {
  const { platform, config: cfg, signal, extraStun } = s;
  if (!platform.udp && !platform.natProbe) return undefined;
  const bindAddress = platform.rtcConfigExtras?.bindAddress;
  return new NatMonitor({
    ...(platform.udp ? { transport: platform.udp } : {}),
    // the same overall bound as the UDP probe's retransmissions (RFC 8489: rto, 2 rto, 4 rto ...)
    ...(platform.natProbe ? { prober: platform.natProbe(cfg.natProbeRtoMs * (2 ** cfg.natProbeAttempts - 1)) } : {}),
    ...(platform.watchNetwork ? { watchNetwork: platform.watchNetwork } : {}),
    servers: async () => {
      // the signalling server's STUN service (from its hello), then the configured ones
      let own: StunServerAddress[] = [];
      try {
        const iceServers = await signal.connect();
        // the node signalling is connected to (one of several in a cluster) runs the STUN service used
        own = stunServersOf(iceServers, new URL(signal.serverUrl).hostname.replace(/^\[|\]$/g, ''));
      } catch (err) {
        if (extraStun.length === 0)
          throw new Error(`no STUN server: signalling unreachable (${describe(err)})`, { cause: err });
      }
      const seen = new Set<string>();
      return [...own, ...extraStun].filter((srv) => {
        const k = `${srv.host}:${srv.port}`;
        return !seen.has(k) && !!seen.add(k);
      });
    },
    ...(platform.localAddresses ? { interfaces: platform.localAddresses } : {}),
    ...(typeof bindAddress === 'string' ? { bindAddress } : {}),
    intervalMs: s.periodic ? cfg.natReprobeMs : 0,
    rtoMs: cfg.natProbeRtoMs,
    attempts: cfg.natProbeAttempts,
    errorCode: ErrorCode.PROBE_ERROR,
    onChanged: (detail) => s.emit('natChanged', detail),
    onError: (detail) => s.emit('natError', detail),
  });
}
