/** ICE server lists: relay (TURN) entries are held back until a direct attempt has had its chance. */
import type { IceServer } from './messages.js';

const isRelay = (s: IceServer) => [s.urls].flat().some((u) => /^turns?:/i.test(u));

/** The ICE servers minus TURN: a direct attempt gathers host and server-reflexive candidates only. */
export const withoutRelay = (servers: IceServer[]): IceServer[] => servers.filter((s) => !isRelay(s));

export const hasRelay = (servers: IceServer[]): boolean => servers.some(isRelay);
