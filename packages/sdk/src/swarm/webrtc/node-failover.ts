/**
 * Cluster failover of a 1vN viewer: when the node in use fails (its tracker socket drops, its HTTP cannot
 * be reached, or it goes silent), join the next node of the list in the same publish epoch, keeping the
 * engine (and its place) as it is: mirrors number chunks as the origin does, so the output continues
 * without a second FLV header, and links to neighbours are direct and survive the move. The stream has
 * ended (eof) when every node failed in a row, or a node serves another epoch (published again).
 */
import type { NodeSession } from './node-session.js';
import type { ViewerRun } from './viewer-run.js';

/** A promise's value, or undefined after `ms` (the manifest only helps; never wait long for it). */
export const within = <T>(p: Promise<T | undefined>, ms: number): Promise<T | undefined> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};

export class NodeFailover {
  /** a move is under way (and stays set once the stream is gone: no move after that) */
  moving = false;
  nodeMoves = 0;
  lastMoveGapMs: number | undefined;

  constructor(private readonly run: ViewerRun) {
    run.onNodeLost = (reason) => this.nodeLost(reason);
  }

  /** The node failed: join the next one in the same epoch, keeping the engine (and its place) as it is. */
  nodeLost(reason: string): void {
    const run = this.run;
    if (run.stopped || run.ended || run.sawEof || this.moving) return;
    this.moving = true;
    const lost = run.session!;
    run.session = undefined;
    lost.close();
    const since = run.clock.now();
    run.emit({ type: 'error', message: `node lost: ${reason}` });
    this.moveOn(lost, reason, since).catch((err: unknown) => run.streamGone(`failover failed: ${String(err)}`));
  }

  private async moveOn(lost: NodeSession, reason: string, since: number): Promise<void> {
    const run = this.run;
    for (;;) {
      if (run.nodes.failed() >= 1) {
        run.unreachable = true;
        return run.streamGone(`no node serves ${run.stream} (last: ${reason})`);
      }
      const next = run.nodes.current;
      let s: NodeSession;
      try {
        s = await run.joinAt(next);
      } catch (err) {
        // a node that refuses (404: not live there) may be outside the cluster: the next one decides
        run.log(`node ${next}: ${String(err)}`);
        if (run.stopped) return;
        continue;
      }
      if (run.stopped) return s.close();
      if (s.joined.epoch !== run.epoch) {
        s.close();
        return run.streamGone(`${next} serves another publish (epoch ${s.joined.epoch})`);
      }
      run.nodes.succeeded();
      run.origin.moveTo(next);
      if (await run.check.signed(run.epoch, { init: s.joined.init }))
        run.engine.originEvent({ type: 'init', epoch: run.epoch, init: s.joined.init });
      // the chunks announced while we were away, before the node's own announcements: the engine skips
      // numbers it does not know once it knows a later one
      const m = await within(run.manifestOf(next), 1000);
      const missed = m && m.epoch === run.epoch ? await run.check.chunks(run.epoch, m.chunks) : [];
      if (run.stopped) return s.close();
      for (const chunk of missed) run.originEvent({ type: 'chunk', epoch: run.epoch, chunk });
      run.engine.addPeers(s.joined.neighbours, s.joined.noUpload);
      this.nodeMoves++;
      this.lastMoveGapMs = run.clock.now() - since;
      run.emit({ type: 'node-moved', from: lost.base, to: next, peerId: s.joined.peerId, gapMs: this.lastMoveGapMs });
      // before attach: a node that already dropped again is reported there and starts the next move
      this.moving = false;
      run.attach(s);
      return;
    }
  }
}
