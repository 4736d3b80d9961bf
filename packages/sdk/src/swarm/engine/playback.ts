/**
 * A model of the player behind the output, used for deadlines and stall accounting: it starts playing when
 * the first chunk is handed out and plays at 1x; when the next chunk is not there at its time, it stalls
 * (rebuffers) and resumes when the chunk arrives, so every later deadline moves by the stall's length.
 */
export class PlaybackModel {
  private startedAt: number | undefined;
  private startTimestamp = 0;
  /** total rebuffering time so far */
  private shiftMs = 0;
  private starvedSince: number | undefined;
  stalls = 0;

  get started(): boolean {
    return this.startedAt !== undefined;
  }

  /** The first chunk is chosen: later chunks' deadlines count from its timestamp. */
  plan(firstChunkTimestamp: number): void {
    this.startTimestamp = firstChunkTimestamp;
  }

  start(now: number, firstChunkTimestamp: number): void {
    this.startedAt = now;
    this.startTimestamp = firstChunkTimestamp;
  }

  /** When the player needs the chunk with this FLV timestamp; before start, as if it started after `assumedStartupMs`. */
  deadline(chunkTimestamp: number, now: number, assumedStartupMs: number): number {
    const base = this.startedAt ?? now + assumedStartupMs;
    return base + this.shiftMs + (chunkTimestamp - this.startTimestamp);
  }

  /** Called each tick while waiting for `chunkTimestamp`: true when a stall begins now. */
  checkStarved(chunkTimestamp: number, now: number): boolean {
    if (this.startedAt === undefined || this.starvedSince !== undefined) return false;
    if (now <= this.deadline(chunkTimestamp, now, 0)) return false;
    this.starvedSince = this.deadline(chunkTimestamp, now, 0);
    this.stalls++;
    return true;
  }

  /** The chunk is handed out now: close a stall, if any. Returns the lateness (ms, 0 if in time). */
  delivered(chunkTimestamp: number, now: number): number {
    if (this.startedAt === undefined) return 0;
    const late = Math.max(0, now - this.deadline(chunkTimestamp, now, 0));
    this.shiftMs += late;
    this.starvedSince = undefined;
    return late;
  }

  get stallMs(): number {
    return this.shiftMs;
  }

  /** Media time being played now (FLV ms), or undefined before start. */
  position(now: number): number | undefined {
    if (this.startedAt === undefined) return undefined;
    const stalledFor = this.starvedSince !== undefined ? now - this.starvedSince : 0;
    return this.startTimestamp + (now - this.startedAt - this.shiftMs - stalledFor);
  }
}
