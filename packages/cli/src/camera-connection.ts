/** Connects a one-off sdk module to a camera for the short commands (cmd, download, talk, records). */
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo, type P2PModule } from '@xp2p/sdk/node';
import { defaultBindAddress } from './args.js';
import { appParamsFrom, readDevConfig, splitDeviceId } from './dev-config.js';

export interface CameraConnection {
  p2p: P2PModule;
  id: string;
  /** A new session to the same camera (fresh xp2pInfo), for when the old one is gone for good. */
  reconnect(): Promise<void>;
  close(): void;
}

export async function connectToCamera(
  values: { server: string; data: string; bind?: string },
  device: string | undefined,
): Promise<CameraConnection> {
  const { productId, deviceName } = splitDeviceId(device);
  const app = appParamsFrom(await readDevConfig(values.data), values.server);
  const p2p = createNodeP2PModule({ bindAddress: defaultBindAddress(values.server, values.bind) });
  const id = `${productId}/${deviceName}`;
  const close = () => {
    p2p.destroy();
    cleanupNodeWebRTC();
  };
  const open = async () => {
    const { xp2pInfo } = await fetchXp2pInfo(app, { productId, deviceName });
    const code = await p2p.startP2PService(
      id,
      { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0', productId, deviceName, xp2pInfo },
      { msgCallback: () => {} },
    );
    if (code !== 0) throw new Error(`cannot reach ${id} (${code}): ${p2p.lastError(id) ?? ''}`);
  };
  try {
    const init = await p2p.init({ appParams: app });
    if (init !== 0) throw new Error(`init failed (${init})`);
    await open();
    return {
      p2p,
      id,
      reconnect: async () => {
        p2p.stopP2PService(id);
        await open();
      },
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}
