/**
 * What a 1v1 service reports besides the guide's msgCallback, as typed events on the module
 * (`p2p.on('pathLost', ...)`): tests and apps follow path recovery without parsing log text.
 */
export interface P2PEventMap extends Record<string, unknown[]> {
  /** the path to the camera broke (heartbeat silence, a closed control channel, a failed peer connection) */
  pathLost: [event: { id: string; reason: string }];
  /** a reconnect on a fresh peer connection started */
  reconnecting: [event: { id: string; reason: string }];
  /** the reconnect succeeded, `ms` after the path was lost */
  reconnected: [event: { id: string; reason: string; ms: number }];
  /** the session is gone for good; the app also gets notify 'disconnect' */
  disconnected: [event: { id: string; reason: string }];
  /** a live stream went on after a reconnect, as one FLV (`resumes`: how many times so far) */
  liveResumed: [event: { id: string; resumes: number }];
  /**
   * a relay-first start moved to P2P: `frames` (`bytes`, sealed) came over the signalling relay first;
   * `spliced`: by a fresh answer spliced in at a keyframe, not by handing the relayed stream over
   */
  startRelayHandedOver: [event: { id: string; frames: number; bytes: number; spliced: boolean }];
  /** a download cut by a reconnect went on from `offset` */
  downloadResumed: [event: { id: string; offset: number }];
  /** the viewer token was renewed for a reconnect */
  tokenRenewed: [event: { id: string }];
  /**
   * the camera was full: the live view goes on as its 1vN stream `stream` (the same dataCallback, one FLV);
   * `reason` is the camera's. msgCallback gets notify 'switchedToOneToMany' with the same detail.
   */
  /** `signed`: the camera gave the stream's key, so the swarm trusts only records the origin signed with it */
  switchedToOneToMany: [event: { id: string; stream: string; reason: string; signed: boolean }];
  /** the camera does not answer heartbeat pings: path loss is left to ICE */
  heartbeatUnanswered: [event: { id: string }];
}
