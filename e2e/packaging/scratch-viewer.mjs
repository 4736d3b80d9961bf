/**
 * Runs inside the scratch project the packaging test installs from tarballs (never inside the
 * workspace): a server, a camera and a Node viewer, each through its package's public API only, and
 * writes what the viewer received to the FLV file named on the command line.
 */
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { cleanupWebRTC, openCameraFeed, startDeviceAgent } from '@xp2p/device';
import { createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import { createDevConfig, startServer } from '@xp2p/server';

const [outFile, wantBytes = '300000'] = process.argv.slice(2);
const config = createDevConfig();
const server = await startServer({ config, host: '127.0.0.1', port: 0, stunPort: 0 });
const device = config.devices[0];
const camera = await openCameraFeed('sample');
const agent = startDeviceAgent({ serverUrl: server.url, ...device, feed: camera.feed, bindAddress: '127.0.0.1' });
await agent.whenOnline();

const appParams = { ...config.apps[0], serverUrl: server.url };
const viewer = createNodeP2PModule({ bindAddress: '127.0.0.1' });
if ((await viewer.init({ appParams })) !== 0) throw new Error('init failed');
const { xp2pInfo } = await fetchXp2pInfo(appParams, device);
const chunks = [];
let received = 0;
const done = new Promise((resolve, reject) => {
  const code = viewer.startP2PService(
    'cam',
    { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0&quality=high', ...device, xp2pInfo },
    {
      msgCallback: (event, subtype) => {
        if (subtype === 'disconnect' || subtype === 'close') reject(new Error(`stream ended: ${subtype}`));
      },
      dataCallback: (data) => {
        chunks.push(Buffer.from(data));
        received += data.byteLength;
        if (received >= Number(wantBytes)) resolve();
      },
    },
  );
  Promise.resolve(code).then((c) => c !== 0 && reject(new Error(`startP2PService: ${c}`)));
});
await done;
writeFileSync(outFile, Buffer.concat(chunks));
viewer.destroy();
await agent.close();
await camera.close();
await server.close();
cleanupWebRTC();
console.log(`received ${received} bytes`);
