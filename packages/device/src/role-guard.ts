/**
 * The camera's own check of the viewer's role, per request (DESIGN.md principle 4: checked by the server
 * and again by the camera). The role comes from the viewer token the camera verified itself at admission,
 * so a viewer that reaches the camera without the server (or with a server that was fooled) still cannot
 * talk, command or download. A viewer watches live and plays recordings back, and may use the record
 * queries and playback controls that playback needs; an operator or owner may do everything.
 *
 * Refusals: 403 with a message saying which role is needed; commands answer in JSON like any command.
 */
import { roleCovers, type Role } from '@xp2p/protocol';
import { sendJsonError } from './http-like.js';
import type { RequestHandler } from './response-writer.js';

/** inner_define commands a viewer needs for playback: reading the record index and steering its own playback. */
const VIEWER_INNER_COMMANDS = new Set([
  'get_record_index',
  'get_month_record',
  'get_file_list',
  'playback_pause',
  'playback_resume',
  'playback_seek',
  'playback_progress',
]);

/** The role a request needs; `viewer` for what every role may do. */
export function roleNeeded(path: string, params: URLSearchParams): Role {
  if (path === 'voice') return 'operator';
  if (path !== 'ipc.flv') return 'viewer'; // unknown paths get the router's 404
  switch (params.get('action')) {
    case 'download':
    case 'user_define':
      return 'operator';
    case 'inner_define':
      return VIEWER_INNER_COMMANDS.has(params.get('cmd') ?? '') ? 'viewer' : 'operator';
    default:
      return 'viewer';
  }
}

export function guardByRole(handler: RequestHandler, role: Role): RequestHandler {
  return (request, params, res, ctx) => {
    const needed = roleNeeded(request.path, params);
    if (roleCovers(role, needed)) return handler(request, params, res, ctx);
    const message = `forbidden: the ${role} role may not do this (needs ${needed})`;
    if (request.path === 'ipc.flv' && /^(inner|user)_define$/.test(params.get('action') ?? '')) {
      return sendJsonError(res, 403, message);
    }
    res.fail(403, message);
  };
}
