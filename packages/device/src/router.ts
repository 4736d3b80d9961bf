/**
 * Routes a viewer's request (reference-facts.md request paths) to the camera's handlers.
 * `_crypto=off` is accepted and changes nothing: every byte already travels inside DTLS.
 */
import type { LiveHandler } from './live-handler.js';
import type { RequestHandler } from './response-writer.js';

export interface RouterParts {
  live: LiveHandler;
  channels: number;
}

const QUALITIES = new Set(['standard', 'high', 'super']);

export function createRouter(parts: RouterParts): RequestHandler {
  return (request, params, res) => {
    const channel = Number(params.get('channel') ?? '0');
    if (!Number.isInteger(channel) || channel < 0 || channel >= parts.channels) {
      return res.fail(404, `no channel ${params.get('channel')}`);
    }
    if (request.path !== 'ipc.flv') return res.fail(404, `unknown path ${request.path}`);
    const action = params.get('action');
    switch (action) {
      case 'live': {
        const quality = params.get('quality');
        if (quality !== null && !QUALITIES.has(quality)) return res.fail(404, `unknown quality ${quality}`);
        return parts.live.serve(res);
      }
      default:
        return res.fail(404, `unknown action ${action ?? '(none)'}`);
    }
  };
}
