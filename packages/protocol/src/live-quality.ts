/**
 * The live qualities a camera offers (`ipc.flv?action=live&quality=...`, and `get_device_st&quality=`),
 * in one list for the camera that checks them and the viewers that ask for one. The guide's demos ask for
 * `high`; the camera refuses any other name (live: 404, get_device_st: 406).
 */
export const LIVE_QUALITIES = Object.freeze(['standard', 'high', 'super'] as const);
export type LiveQuality = (typeof LIVE_QUALITIES)[number];

export const DEFAULT_LIVE_QUALITY: LiveQuality = 'high';

export const isLiveQuality = (name: string): name is LiveQuality =>
  (LIVE_QUALITIES as readonly string[]).includes(name);

/** The query of a live request, e.g. `action=live&channel=0&quality=high`. */
export const liveQuery = (quality: string = DEFAULT_LIVE_QUALITY, channel = 0): string =>
  `action=live&channel=${channel}&quality=${quality}`;
