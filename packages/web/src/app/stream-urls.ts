/** The 1v1 request URLs the guide's demos use (the host part is fixed; the sdk reads path and query). */
const BASE = 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv';

/** A camera's live stream; without a quality the camera sends the channel's best. */
export const liveUrl = (channel = 0, quality?: string): string =>
  `${BASE}?action=live&channel=${channel}${quality ? `&quality=${encodeURIComponent(quality)}` : ''}`;

export const playbackUrl = (startS: number, endS: number): string =>
  `${BASE}?action=playback&channel=0&start_time=${startS}&end_time=${endS}`;

export const innerCommand = (cmd: string): string => `action=inner_define&channel=0&cmd=${cmd}`;
