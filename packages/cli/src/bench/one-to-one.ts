/**
 * 1v1 throughput and latency beyond live view: a large file over P2P against the same file over plain
 * HTTP on loopback, and command round trips.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeP2PModule, fetchXp2pInfo, type AppParams } from '@xp2p/sdk/node';

const url = 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0';

/**
 * MB/s (10^6 bytes) of a P2P download of `fileName` from the camera's store, from the request
 * (`from: 'request'`, default) or from the first byte (`'first-byte'`, as curl's transfer rate on a long path).
 */
export async function p2pDownloadMBps(
  app: AppParams,
  device: { productId: string; deviceName: string },
  fileName: string,
  options: { bindAddress?: string; from?: 'request' | 'first-byte' } = {},
): Promise<number> {
  const { xp2pInfo } = await fetchXp2pInfo(app, device);
  const p2p = createNodeP2PModule({ bindAddress: options.bindAddress ?? '127.0.0.1' });
  await p2p.init({ appParams: app });
  try {
    if ((await p2p.startP2PService('dl', { url, ...device, xp2pInfo }, { msgCallback: () => {} })) !== 0)
      throw new Error(p2p.lastError('dl'));
    let bytes = 0;
    let t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      void p2p.startLocalDownload(
        'dl',
        { urlParams: `channel=0&file_name=${fileName}&offset=0` },
        {
          onReceiveChunk: (d) => {
            if (bytes === 0 && options.from === 'first-byte') t0 = performance.now();
            bytes += d.byteLength;
          },
          onSuccess: () => resolve(),
          onFailure: (r) => reject(new Error(`download failed: ${r?.errmsg}`)),
          onError: (r) => reject(new Error(`download error: ${r?.errmsg}`)),
          onComplete: () => {},
        },
      );
    });
    return bytes / 1e6 / ((performance.now() - t0) / 1000);
  } finally {
    p2p.destroy();
  }
}

/** MB/s of a plain HTTP GET of the same file from a server in this process, on loopback. */
export async function httpDownloadMBps(path: string): Promise<number> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': statSync(path).size });
    createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const { port } = server.address() as AddressInfo;
    const t0 = performance.now();
    const bytes = await new Promise<number>((resolve, reject) => {
      request(`http://127.0.0.1:${port}/`, (res) => {
        let n = 0;
        res.on('data', (d: Buffer) => (n += d.byteLength));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    return bytes / 1e6 / ((performance.now() - t0) / 1000);
  } finally {
    server.close();
  }
}

/** Round trips of a built-in command on one connected service (ms). */
export async function commandRoundTrips(
  app: AppParams,
  device: { productId: string; deviceName: string },
  runs: number,
): Promise<number[]> {
  const { xp2pInfo } = await fetchXp2pInfo(app, device);
  const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
  await p2p.init({ appParams: app });
  try {
    if ((await p2p.startP2PService('cmd', { url, ...device, xp2pInfo }, { msgCallback: () => {} })) !== 0)
      throw new Error(p2p.lastError('cmd'));
    const out: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const r = await p2p.sendCommand('cmd', 'action=inner_define&channel=0&cmd=get_device_st&type=live');
      if (r.type !== 'success') throw new Error(`command failed: ${r.errmsg}`);
      if (i >= 3) out.push(performance.now() - t0); // the first few warm up the channel pool and JIT
    }
    return out;
  } finally {
    p2p.destroy();
  }
}
