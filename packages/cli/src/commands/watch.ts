/**
 * `xp2p watch <http://host/live/NAME.flv>[,http://other/live/NAME.flv...] [--listen 127.0.0.1:PORT] [--no-upload]`:
 * a 1vN peer. It joins the stream's swarm, serves what it receives as local HTTP-FLV for any player (`play:`
 * URL) and prints a live stats line: share of bytes from peers, peers, lag behind the live edge, stalls.
 * More URLs (comma-separated) are the same stream on other nodes of a cluster: the peer moves to the next
 * when its node dies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { FlvDemuxer } from '@xp2p/protocol';
import { LiveHub } from '@xp2p/device';
import { cleanupNodeWebRTC, createNodeP2PModule } from '@xp2p/sdk/node';
import { commonOptions, defaultBindAddress, UsageError } from '../args.js';
import { appParamsFrom, readDevConfig } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';

export async function watchCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      listen: { type: 'string', default: '127.0.0.1:0' },
      'no-upload': { type: 'boolean', default: false },
      'stats-every': { type: 'string', default: '2' },
    },
  });
  const [streamUrl, ...otherNodes] = (positionals[0] ?? '').split(',').map((u) => u.trim());
  // the first URL may carry the stream's public key (?pk=, as `xp2p publish` prints it): then only records the
  // origin signed are trusted
  const streamUrlPattern = /^https?:\/\/[^/]+\/live\/[A-Za-z0-9_.-]+\.flv(\?pk=[A-Za-z0-9_-]{43})?$/;
  if (!streamUrl || ![streamUrl, ...otherNodes].every((u) => streamUrlPattern.test(u))) {
    throw new UsageError(
      'give the stream URL, e.g. http://127.0.0.1:18080/live/demo.flv?pk=KEY (or several nodes: URL,URL)',
    );
  }
  const origin = new URL(streamUrl).origin;
  const app = appParamsFrom(await readDevConfig(values.data), origin);
  const p2p = createNodeP2PModule({ bindAddress: defaultBindAddress(origin, values.bind) });
  if ((await p2p.init({ appParams: app })) !== 0) throw new Error('init failed');

  // Players that connect late start at the latest keyframe: the same GOP cache a camera keeps.
  const hub = new LiveHub();
  const demuxer = new FlvDemuxer();
  let ended = false;
  const code = await p2p.startP2PService(
    'watch',
    { url: streamUrl, upload: !values['no-upload'], ...(otherNodes.length > 0 ? { urls: otherNodes } : {}) },
    {
      msgCallback: (event, subtype, detail) => {
        if (event === 'log') console.log(`  ${String(detail)}`);
        else if (subtype === 'eof') {
          ended = true;
          console.log('eof: the publisher stopped');
          hub.close();
        }
      },
      dataCallback: (data) => {
        for (const tag of demuxer.push(new Uint8Array(data))) hub.onTag(tag);
      },
    },
  );
  if (code !== 0) throw new Error(`cannot watch ${streamUrl} (${code}): ${p2p.lastError('watch') ?? ''}`);

  const [host, port] = values.listen.split(':');
  const server = createServer((req, res) => {
    if (req.method !== 'GET') return void res.writeHead(405).end();
    res.writeHead(200, {
      'content-type': 'video/x-flv',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    });
    const unsubscribe = hub.subscribe({
      write: (b) => void res.write(b),
      bufferedAmount: () => res.writableLength,
      end: () => res.end(),
    });
    res.on('close', unsubscribe);
  });
  await new Promise<void>((r) => server.listen(Number(port ?? 0), host || '127.0.0.1', () => r()));
  const { port: actual } = server.address() as AddressInfo;
  console.log(`play: http://${host || '127.0.0.1'}:${actual}/live.flv`);

  const every = Math.max(0.5, Number(values['stats-every'])) * 1000;
  const timer = setInterval(() => {
    const s = p2p.getSwarmStats('watch');
    if (!s) return;
    const total = s.p2pBytes + s.cdnBytes;
    const share = total > 0 ? Math.round((100 * s.p2pBytes) / total) : 0;
    console.log(
      `stats: p2p ${share}% · peers ${s.peers} · lag ${((s.lagMs ?? 0) / 1000).toFixed(1)} s · stalls ${s.stalls} · up ${(s.uploadBytes / 1e6).toFixed(1)} MB${ended ? ' · ended' : ''}`,
    );
  }, every);
  runUntilSignal(
    [
      () => clearInterval(timer),
      () => p2p.destroy(),
      () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    ],
    cleanupNodeWebRTC,
  );
}
