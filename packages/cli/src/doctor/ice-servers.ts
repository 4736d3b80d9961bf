/**
 * The STUN and TURN servers the deployment hands its clients, as a viewer sees them: a signed viewer
 * signalling connection (the app's credentials) whose `hello` lists them, TURN with fresh HMAC credentials.
 * Never logs in as a camera: that would replace the real camera's connection.
 */
import { parseSignal, serverToViewerSchema, signAppRequest, type IceServer } from '@xp2p/protocol';
import { VIEWER_PATH } from '@xp2p/server';
import WebSocket from 'ws';

export async function fetchIceServers(
  base: string,
  app: { appKey: string; appSecretKey: string },
  timeoutMs: number,
): Promise<IceServer[]> {
  const sig = await signAppRequest(app, 'GET', `${base}${VIEWER_PATH}`);
  const q = new URLSearchParams({
    appKey: sig.appKey,
    timestamp: String(sig.timestamp),
    nonce: sig.nonce,
    signature: sig.signature,
  });
  const url = `${base.replace(/^http/, 'ws')}${VIEWER_PATH}?${q}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no hello within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      ws.close();
      fn();
    };
    ws.on('message', (data) => {
      const parsed = parseSignal(serverToViewerSchema, data.toString());
      if (!parsed.ok) return finish(() => reject(new Error(parsed.error)));
      const msg = parsed.message;
      if (msg.type === 'hello') finish(() => resolve(msg.iceServers));
      else if (msg.type === 'error') finish(() => reject(new Error(`${msg.status} ${msg.message}`)));
    });
    ws.on('unexpected-response', (_req, res) =>
      finish(() => reject(new Error(`signalling refused the app credentials (${res.statusCode})`))),
    );
    ws.on('error', (err) => finish(() => reject(err)));
  });
}
