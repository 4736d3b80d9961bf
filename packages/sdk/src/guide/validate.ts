/** Checks of the guide's call parameters that give -2000 (PARAM_ERROR) before anything starts. */
import { parseStunUrl } from '../nat/monitor.js';
import type { StunServerAddress } from '../nat/probe.js';
import type { AppParams } from '../app-params.js';
import type { ServiceCallbacks } from '../guide-events.js';

const MAX_ID_LENGTH = 128;

export const validId = (id: unknown): id is string =>
  typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;

export const isFn = (f: unknown): boolean => typeof f === 'function';

export const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** callbacks of startP2PService: a msgCallback, and a dataCallback when given */
export const validServiceCallbacks = (callbacks: ServiceCallbacks | undefined): boolean =>
  !!callbacks && isFn(callbacks.msgCallback) && (!callbacks.dataCallback || isFn(callbacks.dataCallback));

/** The extra STUN servers of init (appParams.stunServers and options.stunServers), or undefined when one is bad. */
export function extraStunServers(
  app: Pick<AppParams, 'stunServers'>,
  listed: unknown,
): StunServerAddress[] | undefined {
  const lists = [(app as { stunServers?: unknown }).stunServers, listed];
  if (lists.some((l) => l !== undefined && (!Array.isArray(l) || l.some((u) => typeof u !== 'string')))) {
    return undefined;
  }
  const servers: StunServerAddress[] = [];
  for (const url of lists.flatMap((l) => (l ?? []) as string[])) {
    const parsed = parseStunUrl(url);
    if (!parsed) return undefined;
    servers.push(parsed);
  }
  return servers;
}
