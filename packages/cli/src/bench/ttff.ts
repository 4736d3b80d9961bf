/**
 * TTFF over P2P against a direct HTTP-FLV fetch from the same camera, in the same run.
 *  cold: a fresh sdk module per run; init() then startP2PService(..., dataCallback) at once, so the
 *        signalling connect, ICE, DTLS/SCTP and the request are all inside the measured span;
 *  warm: startP2PStream on a service that is already connected (the guide's pre-connect);
 *  direct: GET of the camera's own HTTP-FLV endpoint on a new TCP connection;
 *  direct keep-alive: the same GET on a connection opened beforehand.
 */
import { request, Agent } from 'node:http';
import { deviceRequestUrl, liveQuery } from '@xp2p/protocol';
import { createNodeP2PModule, fetchXp2pInfo, type AppParams } from '@xp2p/sdk/node';
import { FirstKeyframeWatch } from './first-keyframe.js';

export interface ColdRun {
  total: number;
  signalling: number;
  /** from the start to the first offer leaving (key pair, peer connection, offer) */
  offer: number;
  offerToAnswer: number;
  ice: number;
  firstByte: number;
  firstKeyframe: number;
  /** from the start to the first byte, whichever way it came (relay or P2P) */
  firstByteAt: number;
  /** from the start to the P2P channel open */
  openAt: number;
  attempts: number;
  /** the ICE path the run's data channel took (host / srflx / prflx / relay), undefined if stats had none */
  path: string | undefined;
  /** sealed bytes the start relay carried before the stream moved to P2P (0: no relay-first start) */
  relayBytes: number;
  /** how the relayed start moved to P2P: 'handover', 'spliced', or 'none' */
  relay: 'handover' | 'spliced' | 'none';
}

const url = deviceRequestUrl({ path: 'ipc.flv', query: liveQuery() });

export interface ColdOptions {
  /** where ICE gathers candidates (default 127.0.0.1) */
  bindAddress?: string;
  /**
   * 'init' (default): the span starts before init(), so the signalling connect is inside it; 'start': it
   * starts at startP2PService once init's signalling connection is open and its NAT probe done (the
   * issue's "cold start after init", what an app that calls init early sees)
   */
  from?: 'init' | 'start';
  /** init's startRelay (default: the sdk's, on): off measures a start that waits for P2P, the baseline */
  startRelay?: boolean;
}

export async function coldP2P(
  app: AppParams,
  device: { productId: string; deviceName: string },
  options: ColdOptions = {},
): Promise<ColdRun> {
  const { xp2pInfo } = await fetchXp2pInfo(app, device);
  const p2p = createNodeP2PModule({ bindAddress: options.bindAddress ?? '127.0.0.1' });
  const watch = new FirstKeyframeWatch();
  let t0 = performance.now();
  let probed: () => void = () => {};
  const probe = new Promise<void>((r) => (probed = r));
  await p2p.init({
    appParams: app,
    ...(options.startRelay !== undefined ? { startRelay: options.startRelay } : {}),
    eventHandler: (event) => {
      if (event === 'natChanged' || event === 'natError') probed();
    },
  });
  if (options.from === 'start') {
    // the probe asks the STUN service the signalling server named: signalling is open once it reports
    await withTimeout(probe, 10_000, 'NAT probe after init').catch(() => {});
    t0 = performance.now();
  }
  let resolveKeyframe: () => void = () => {};
  const keyframe = new Promise<void>((r) => (resolveKeyframe = r));
  // a relay-first start moves to P2P after its first keyframe: its relayed bytes are known from then on
  const handedOver = new Promise<void>((r) => p2p.on('startRelayHandedOver', () => r()));
  const code = await p2p.startP2PService(
    'bench',
    { url, ...device, xp2pInfo },
    {
      msgCallback: () => {},
      dataCallback: (d) => {
        watch.push(new Uint8Array(d));
        if (watch.firstKeyframeAt !== undefined) resolveKeyframe();
      },
    },
  );
  if (code !== 0) throw new Error(`startP2PService returned ${code}: ${p2p.lastError('bench')}`);
  await withTimeout(keyframe, 10_000, 'first keyframe');
  if (options.startRelay !== false) await withTimeout(handedOver, 10_000, 'hand-over to P2P').catch(() => {});
  const stats = await p2p.getServiceStats('bench');
  p2p.destroy();
  const t = stats?.timings;
  if (!t || watch.firstByteAt === undefined || watch.firstKeyframeAt === undefined) throw new Error('no timings');
  return {
    total: watch.firstKeyframeAt - t0,
    signalling: Math.max(0, (t.signalReadyAt ?? t0) - t0),
    offer: (t.offerSentAt ?? t0) - t0,
    offerToAnswer: (t.answerAt ?? 0) - (t.offerSentAt ?? 0),
    ice: (t.openAt ?? 0) - (t.answerAt ?? 0),
    firstByte: watch.firstByteAt - (t.openAt ?? 0),
    firstKeyframe: watch.firstKeyframeAt - watch.firstByteAt,
    firstByteAt: watch.firstByteAt - t0,
    openAt: (t.openAt ?? t0) - t0,
    attempts: t.attempts,
    path: stats.path,
    relayBytes: stats.startRelay?.bytes ?? 0,
    relay: stats.startRelay ? (stats.startRelay.spliced ? 'spliced' : 'handover') : 'none',
  };
}

/** One warm start: ms from startP2PStream to the first byte and to the first complete keyframe. */
export interface WarmRun {
  firstByte: number;
  firstKeyframe: number;
}

/** Warm runs on one pre-connected service: each is startP2PStream → first keyframe, then stop. */
export async function warmP2P(
  app: AppParams,
  device: { productId: string; deviceName: string },
  runs: number,
  bindAddress = '127.0.0.1',
): Promise<WarmRun[]> {
  const { xp2pInfo } = await fetchXp2pInfo(app, device);
  const p2p = createNodeP2PModule({ bindAddress });
  await p2p.init({ appParams: app });
  const code = await p2p.startP2PService('warm', { url, ...device, xp2pInfo }, { msgCallback: () => {} });
  if (code !== 0) throw new Error(`startP2PService returned ${code}`);
  const out: WarmRun[] = [];
  for (let i = 0; i < runs; i++) {
    const watch = new FirstKeyframeWatch();
    let resolveKeyframe: () => void = () => {};
    const keyframe = new Promise<void>((r) => (resolveKeyframe = r));
    const t0 = performance.now();
    await p2p.startP2PStream('warm', {
      dataCallback: (d) => {
        watch.push(new Uint8Array(d));
        if (watch.firstKeyframeAt !== undefined) resolveKeyframe();
      },
    });
    await withTimeout(keyframe, 10_000, 'first keyframe');
    out.push({ firstByte: (watch.firstByteAt ?? 0) - t0, firstKeyframe: (watch.firstKeyframeAt ?? 0) - t0 });
    p2p.stopP2PStream('warm');
  }
  p2p.destroy();
  return out;
}

/** GET of the camera's HTTP-FLV endpoint until the first keyframe; `agent` set = a kept-alive socket. */
export function directFetch(flvUrl: string, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const watch = new FirstKeyframeWatch();
    const t0 = performance.now();
    const req = request(flvUrl, { agent: agent ?? false }, (res) => {
      res.on('data', (chunk: Buffer) => {
        watch.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (watch.firstKeyframeAt !== undefined) {
          resolve(watch.firstKeyframeAt - t0);
          req.destroy();
        }
      });
      res.on('error', () => {});
    });
    req.on('error', (err) => {
      if (watch.firstKeyframeAt === undefined) reject(err);
    });
    req.end();
  });
}

/** Opens a kept-alive connection to the camera (a tiny request that completes) and returns its agent. */
export async function preconnectedAgent(baseUrl: string): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await new Promise<void>((resolve, reject) => {
    request(`${baseUrl}/healthz`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    })
      .on('error', reject)
      .end();
  });
  return agent;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e as Error)),
    );
  });
}
