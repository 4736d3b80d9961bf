/**
 * init / destroy / resetP2P / getNatStats: what a module holds between init and destroy (the app's
 * parameters, the signalling connection shared by every session, the NAT monitor).
 */
import { ErrorCode, randomId } from '@xp2p/protocol';
import {
  serverUrlsOf,
  validAppParams,
  validPublicAppParams,
  type AppParams,
  type PublicAppParams,
} from '../app-params.js';
import { validTicket, type SignalCredentials, type TicketSource } from '../signal/signal-credentials.js';
import type { SDK_DEFAULTS } from '../defaults.js';
import { NatMonitor, type NatStats } from '../nat/monitor.js';
import { safeCall } from '../guide-events.js';
import type { ModuleHost, ModuleSignal } from './module-host.js';
import { createNatMonitor } from './nat-setup.js';
import { withAppStunServers } from './extra-ice-servers.js';
import { extraStunServers, isFn } from './validate.js';
import { fetchXp2pInfo } from './xp2p-info-client.js';

export interface InitOptions {
  /** `appParams.stunServers` (string[]) adds STUN servers to the probe and to ICE, like `stunServers` below */
  appParams: AppParams | PublicAppParams;
  /**
   * A web page's credential instead of the app secret: a signalling ticket its server issued to the signed-in
   * person, or a function that fetches a fresh one (called for every socket, reconnects included; tickets
   * live minutes). With it, appParams needs only appid (and serverUrl): never ship an app secret to a browser.
   */
  ticket?: TicketSource;
  /**
   * With a ticket: how to get a fresh xp2pInfo for a camera when the one given expired before a (re)connect
   * (a page asks its own server). Without it an expired xp2pInfo is refused by the camera (-2402).
   */
  renewXp2pInfo?: (device: { productId: string; deviceName: string }) => Promise<string>;
  /**
   * 'log' (string), 'natChanged' (NatChangedDetail), 'natError' (NatErrorDetail; code -2202) ...
   */
  eventHandler?: (event: string, detail: unknown) => void;
  /**
   * NAT probe at init (Node: STUN over UDP, RFC 5780 where the server allows; browsers: ICE gathering,
   * which shows the mapped address and whether there is a NAT, not its type; a platform with neither skips it):
   * 'background' (default): init resolves 0 at once, the probe runs behind it, a failure fires natError;
   * 'wait': init waits for the probe and returns -2202 when it fails entirely (the module is then not
   * initialised; natError fires too); 'off': no probe at init and no periodic re-probe (resetP2P still probes).
   */
  probe?: 'background' | 'wait' | 'off';
  /**
   * Extra STUN servers for the probe and for every peer connection's ICE, besides the signalling server's
   * own: "stun:host:port", "host:port" or "host" (port 3478); DNS names allowed (guide 1.0.2).
   */
  stunServers?: string[];
  /**
   * Relay-first start (default true, SDK_DEFAULTS.startRelay): a live stream started with startP2PService
   * begins over the signalling connections already open, end-to-end encrypted (the server cannot read it),
   * and moves to the P2P channel once that opens: the first frame comes a few round trips sooner. false:
   * every byte waits for the P2P channel.
   */
  startRelay?: boolean;
}

/** What init set up. */
export interface Initialised {
  app: PublicAppParams;
  /** what the sockets authenticate with: the app's keys or the ticket */
  credentials: SignalCredentials;
  /** how an expired xp2pInfo is renewed: with the app's keys, or the page's callback */
  renewXp2pInfo: ((device: { productId: string; deviceName: string }) => Promise<string>) | undefined;
  /** InitOptions.startRelay */
  startRelay: boolean;
  signal: ModuleSignal;
  nat: NatMonitor | undefined;
}

export class ModuleLifecycle {
  private state: Initialised | undefined;
  /**
   * This module's id (getUUID): made when the module is created, so it exists even after a failed init
   * (the guide), and sent with every signalling session so the server's log lines carry it.
   */
  readonly uuid = randomId(16);

  constructor(
    private readonly host: ModuleHost,
    private readonly config: typeof SDK_DEFAULTS,
  ) {}

  /** What init set up, or undefined before init and after destroy. */
  get current(): Initialised | undefined {
    return this.state;
  }

  async init(options: InitOptions): Promise<number> {
    if (this.state) return ErrorCode.ALREADY_INITIALISED;
    const credentials = credentialsOf(options);
    if (!credentials) return ErrorCode.PARAM_ERROR;
    if (options.eventHandler !== undefined && !isFn(options.eventHandler)) return ErrorCode.PARAM_ERROR;
    if (options.renewXp2pInfo !== undefined && !isFn(options.renewXp2pInfo)) return ErrorCode.PARAM_ERROR;
    if (options.startRelay !== undefined && typeof options.startRelay !== 'boolean') return ErrorCode.PARAM_ERROR;
    const unsupported = this.host.platform.unsupported;
    if (unsupported) {
      safeCall(options.eventHandler, 'log', `p2p is not supported here: ${unsupported}`);
      return ErrorCode.P2P_UNSUPPORTED;
    }
    const probeMode = options.probe ?? 'background';
    if (!['background', 'wait', 'off'].includes(probeMode)) return ErrorCode.PARAM_ERROR;
    const extraStun = extraStunServers(options.appParams, options.stunServers);
    if (!extraStun) return ErrorCode.PARAM_ERROR;
    const app = options.appParams;
    const { host, config } = this;
    const emit = (event: string, detail: unknown) => safeCall(options.eventHandler, event, detail);
    const opened = host.openSignal(
      serverUrlsOf(app, config.serverUrl),
      credentials,
      (line) => emit('log', line),
      this.uuid,
    );
    const signal = withAppStunServers(opened, extraStun);
    const periodic = probeMode !== 'off';
    const nat = createNatMonitor({ platform: host.platform, config, signal, extraStun, periodic, emit });
    const renewXp2pInfo =
      options.renewXp2pInfo ??
      ('appSecretKey' in credentials
        ? async (device: { productId: string; deviceName: string }) =>
            (await fetchXp2pInfo({ ...app, ...credentials }, device)).xp2pInfo
        : undefined);
    const startRelay = options.startRelay ?? config.startRelay;
    const mine: Initialised = { app, credentials, renewXp2pInfo, signal, nat, startRelay };
    this.state = mine;
    // Connect on intent: open the signalling socket now so the first startP2PService does not wait for it.
    signal.connect().catch(() => {
      /* retried by the first session; its failure is reported there */
    });
    if (!nat || probeMode === 'off') return ErrorCode.OK;
    return this.firstProbe(mine, nat, probeMode === 'wait');
  }

  /** Closes what init opened (the services are the caller's to stop first). */
  takeDown(): void {
    const s = this.state;
    if (!s) return;
    s.nat?.stop();
    s.signal.close();
    this.state = undefined;
  }

  /** Reconnects the signalling socket and probes the NAT again: 0, -2002 (no init) or -2202. */
  async resetP2P(): Promise<number> {
    const s = this.state;
    if (!s) return ErrorCode.NOT_INITIALISED;
    try {
      await s.signal.connect();
    } catch {
      return ErrorCode.PROBE_ERROR;
    }
    if (!s.nat) return ErrorCode.OK;
    try {
      await s.nat.probe('reset');
    } catch {
      return this.state === s ? ErrorCode.PROBE_ERROR : ErrorCode.NOT_INITIALISED;
    }
    return this.state === s ? ErrorCode.OK : ErrorCode.NOT_INITIALISED;
  }

  /** The last NAT probe (state 'unsupported' where the platform cannot probe); undefined before init. */
  getNatStats(): NatStats | undefined {
    const s = this.state;
    if (!s) return undefined;
    return s.nat ? s.nat.stats() : NatMonitor.unsupported();
  }

  /** A broken path often means the network changed: probe now, so natChanged does not wait for the timer. */
  probeAfterPathLoss(): void {
    this.state?.nat?.probe('path-lost').catch(() => {
      /* reported by natError */
    });
  }

  private async firstProbe(mine: Initialised, nat: NatMonitor, wait: boolean): Promise<number> {
    const first = nat.probe('init');
    if (!wait) {
      first.catch(() => {
        /* reported by natError */
      });
      nat.startTimer();
      return ErrorCode.OK;
    }
    try {
      await first;
    } catch {
      // the guide's init -2202: not initialised, so the app may call init again
      if (this.state === mine) this.takeDown();
      return ErrorCode.PROBE_ERROR;
    }
    if (this.state !== mine) return ErrorCode.PROBE_ERROR; // destroyed while probing
    nat.startTimer();
    return ErrorCode.OK;
  }
}

/** The app's keys, or (init's `ticket`) the page's ticket source; undefined when neither is usable. */
function credentialsOf(options: InitOptions | undefined): SignalCredentials | undefined {
  if (!options) return undefined;
  const { ticket } = options;
  if (ticket !== undefined) {
    if (!validPublicAppParams(options.appParams) || !(isFn(ticket) || validTicket(ticket))) return undefined;
    return { ticket };
  }
  if (!validAppParams(options.appParams)) return undefined;
  return { appKey: options.appParams.appKey, appSecretKey: options.appParams.appSecretKey };
}
