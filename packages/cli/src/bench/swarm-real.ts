/**
 * 1vN over real WebRTC on loopback: one published stream and N peers (sdk modules in the bench process,
 * the server with origin and tracker in its own). Offload is measured at the origin:
 * 1 − originBytes / bytes the peers received. The peers join with the stream's key (`?pk=`), so the figures
 * include checking the origin's signature on every record.
 */
import { createNodeP2PModule, type AppParams } from '@xp2p/sdk/node';
import { CLI_DEFAULTS } from '../args.js';

export interface RealSwarmResult {
  peers: number;
  offload: number;
  limit: number;
  originBytes: number;
  receivedBytes: number;
  stalls: number;
}

export async function realSwarmOffload(
  app: AppParams,
  serverUrl: string,
  stream: string,
  peers: number,
  seconds: number,
): Promise<RealSwarmResult> {
  // with the stream's key, as a viewer gets the URL: every record is checked against the origin's signature
  const { pk } = (await (await fetch(`${serverUrl}/api/streams/${stream}/stats`)).json()) as { pk?: string };
  const url = `${serverUrl}/live/${stream}.flv${pk ? `?pk=${pk}` : ''}`;
  const modules = [];
  let received = 0;
  for (let i = 0; i < peers; i++) {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    await p2p.init({ appParams: app });
    const code = await p2p.startP2PService(
      'swarm',
      { url },
      { msgCallback: () => {}, dataCallback: (d) => (received += d.byteLength) },
    );
    if (code !== 0) throw new Error(`peer ${i} could not join: ${p2p.lastError('swarm')}`);
    modules.push(p2p);
    await new Promise((r) => setTimeout(r, CLI_DEFAULTS.benchPeerJoinGapMs));
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const stalls = modules.reduce((n, m) => n + (m.getSwarmStats('swarm')?.stalls ?? 0), 0);
  for (const m of modules) m.destroy();
  await new Promise((r) => setTimeout(r, CLI_DEFAULTS.benchSettleMs));
  const stats = (await (await fetch(`${serverUrl}/api/streams/${stream}/stats`)).json()) as { originBytes: number };
  return {
    peers,
    offload: 1 - stats.originBytes / received,
    limit: 1 - 1 / peers,
    originBytes: stats.originBytes,
    receivedBytes: received,
    stalls,
  };
}
