/**
 * The playbacks running in each viewer session, so `playback_pause` & co. (sent on their own request
 * channels) find the playback of the viewer that sent them, and never another viewer's.
 */
import type { PlaybackStream } from './playback-stream.js';

export class PlaybackRegistry {
  private readonly bySession = new Map<string, PlaybackStream[]>();

  add(sessionId: string, playback: PlaybackStream): () => void {
    const list = this.bySession.get(sessionId) ?? [];
    list.push(playback);
    this.bySession.set(sessionId, list);
    return () => {
      const now = (this.bySession.get(sessionId) ?? []).filter((p) => p !== playback);
      if (now.length === 0) this.bySession.delete(sessionId);
      else this.bySession.set(sessionId, now);
    };
  }

  /** The session's running playbacks, the most recently started last. */
  of(sessionId: string): readonly PlaybackStream[] {
    return (this.bySession.get(sessionId) ?? []).filter((p) => p.running);
  }

  get count(): number {
    let n = 0;
    for (const list of this.bySession.values()) n += list.length;
    return n;
  }
}
