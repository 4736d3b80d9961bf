/**
 * The live qualities a camera channel may offer (`ipc.flv?action=live&channel=N&quality=...`, and
 * `get_device_st&quality=`), best first, in one list for the camera that checks them and the viewers that
 * ask for one. The reference names standard|high|super; `low` is for an IP camera's sub-stream. Without a
 * quality the camera sends the channel's best; the guide's demos ask for `high`.
 */
export const LIVE_QUALITIES = Object.freeze(['super', 'high', 'standard', 'low'] as const);
export type LiveQuality = (typeof LIVE_QUALITIES)[number];

export const DEFAULT_LIVE_QUALITY: LiveQuality = 'high';

export const isLiveQuality = (name: string): name is LiveQuality =>
  (LIVE_QUALITIES as readonly string[]).includes(name);

/** The query of a live request, e.g. `action=live&channel=0&quality=high`. */
export const liveQuery = (quality: string = DEFAULT_LIVE_QUALITY, channel = 0): string =>
  `action=live&channel=${channel}&quality=${quality}`;
