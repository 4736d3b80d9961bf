/**
 * The 1v1 request URL the guide uses: `http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?${params}`.
 * Only the path after the host part and the query matter on the wire.
 */
import { ErrorCode, XP2PError } from './errors.js';
import { isRequestPath } from './framing/request-path.js';

export interface DeviceRequest {
  /** e.g. "ipc.flv", "voice" */
  path: string;
  /** without the leading "?" */
  query: string;
}

const HOST_PREFIX = /^https?:\/\/[^/]+\/ipc\.p2p\.com\//i;

export function parseDeviceRequestUrl(url: unknown): DeviceRequest {
  if (typeof url !== 'string' || !HOST_PREFIX.test(url)) {
    throw new XP2PError(
      ErrorCode.PARAM_ERROR,
      'url must look like http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live',
    );
  }
  const rest = url.replace(HOST_PREFIX, '');
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);
  if (!isRequestPath(path)) {
    throw new XP2PError(ErrorCode.PARAM_ERROR, `bad request path "${path}"`);
  }
  return { path, query };
}

export function deviceRequestUrl(req: DeviceRequest): string {
  return `http://XP2P_INFO.xnet/ipc.p2p.com/${req.path}${req.query ? `?${req.query}` : ''}`;
}
