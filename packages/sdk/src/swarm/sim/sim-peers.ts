/**
 * The simulated viewers: who each is (upload or not, behind a NAT, an attacker, when it joins and leaves,
 * its link), drawn from the run's seeded random source in a fixed order so a seed always makes the same
 * swarm, and each one's real SwarmPeer, started at its join time over the in-memory network. Attackers run
 * the real engine too; their attack is in the network (poison, withhold), in what they tell their
 * neighbours besides (lie) or in what they tell the tracker (false-report).
 */
import { SWARM_DEFAULTS } from '../engine/defaults.js';
import { SwarmPeer } from '../engine/swarm-peer.js';
import type { HashFn } from '../engine/types.js';
import { seededRandom } from './prng.js';
import type { SimNetwork } from './sim-network.js';
import type { SimOrigin } from './sim-origin.js';
import type { SimMember, SimTracker } from './sim-tracker.js';
import type { AttackKind, ResolvedSimOptions, SimPeerResult } from './sim-types.js';
import type { VirtualClock } from './virtual-clock.js';

export type SimRecord = SimPeerResult & { engine?: SwarmPeer; startAt?: number };

/** What every peer of a run shares. */
export interface SimWorld {
  o: ResolvedSimOptions;
  clock: VirtualClock;
  random: () => number;
  net: SimNetwork;
  origin: SimOrigin;
  tracker: SimTracker;
  hash: HashFn;
  epoch: string;
}

/** Draws every peer (the seeded order matters) and schedules its join, and its leave when it leaves. */
export function planPeers(w: SimWorld): SimRecord[] {
  const { o, random, clock } = w;
  const between = ([lo, hi]: [number, number]) => lo + random() * (hi - lo);
  const bitrateBytesPerMs = o.bitrateKbps / 8;
  const records: SimRecord[] = [];
  const total = o.peers + o.lateJoiners;
  for (let i = 0; i < total; i++) {
    const late = i >= o.peers;
    const id = `peer-${String(i).padStart(5, '0')}-${Math.floor(random() * 1e9).toString(36)}`;
    const attack: AttackKind | undefined = i < o.corruptPeers ? 'poison' : i < o.attackers ? o.attackKind : undefined;
    const upload = attack ? true : random() >= o.nonUploadingShare;
    const [uLo, uHi] = o.uploadMultiple;
    const upMultiple = upload ? uLo * Math.pow(uHi / uLo, random()) : 0.2;
    const rec: SimRecord = {
      id,
      upload,
      nat: random() < o.natShare,
      corrupt: attack === 'poison',
      ...(attack ? { attack } : {}),
      joinAt: o.warmupMs + (late ? o.lateJoinAtMs + random() * 500 : random() * o.joinSpreadMs),
      late,
      chunksOut: 0,
      lateChunks: 0,
      seqs: [],
      initFirst: false,
      ended: false,
      uploadBytes: 0,
      bulkBytesSent: 0,
      stalls: 0,
      ...(o.keepOutputs ? { outputs: [] } : {}),
    };
    const leaves = !late && !rec.attack && random() < o.leaveShare;
    if (leaves) rec.leftAt = rec.joinAt + 5000 + random() * Math.max(0, o.seconds * 1000 - o.joinSpreadMs - 10_000);
    records.push(rec);
    const latencyMs = between(o.latencyMs);
    clock.setTimeout(() => {
      const link = { upRate: upMultiple * bitrateBytesPerMs, downRate: (between(o.downloadMbps) * 1000) / 8 };
      spawnPeer(w, rec, i, latencyMs, link);
    }, rec.joinAt);
    if (rec.leftAt !== undefined) clock.setTimeout(() => leave(w, rec), rec.leftAt);
  }
  w.tracker.onEvict = (id) => {
    const rec = records.find((r) => r.id === id);
    if (!rec) return;
    rec.evicted = true;
    leave(w, rec);
  };
  return records;
}

/** The peer is gone (left, or evicted by the tracker). */
function leave(w: SimWorld, rec: SimRecord): void {
  rec.engine?.stop();
  w.net.removePeer(rec.id);
  w.tracker.remove(rec.id);
}

/** The peer joins now: its network node, its engine, the one-request start, the tracker's answer later. */
function spawnPeer(
  w: SimWorld,
  rec: SimRecord,
  i: number,
  latencyMs: number,
  link: { upRate: number; downRate: number },
): void {
  const { o, clock, origin, tracker } = w;
  const id = rec.id;
  const mesh = w.net.addPeer({
    id,
    ...link,
    latencyMs,
    nat: rec.nat,
    corrupt: rec.attack === 'poison',
    withhold: rec.attack === 'withhold',
  });
  const engine = new SwarmPeer({
    clock,
    origin: origin.client(id),
    mesh,
    upload: rec.upload,
    hash: w.hash,
    random: seededRandom(o.seed * 7919 + i),
    // pieces as many per chunk as full-size chunks would have
    options: { pieceBytes: Math.max(16, Math.floor(SWARM_DEFAULTS.pieceBytes / o.payloadScale)), ...o.engine },
    output: {
      onData(bytes, info) {
        if (info.kind === 'init') {
          if (rec.seqs.length === 0) rec.initFirst = true;
        } else rec.seqs.push(info.seq!);
        rec.outputs?.push(bytes);
      },
      onEnd() {
        rec.ended = true;
      },
      onEvent(ev) {
        o.onEngineEvent?.(rec, ev);
        if (ev.type === 'bad-peer') tracker.reportBad(id, ev.peerId);
        else if (ev.type === 'peer-join') {
          tracker.noteLink(id, ev.peerId);
          if (rec.attack === 'false-report') tracker.reportBad(id, ev.peerId);
        } else if (ev.type === 'more-peers') tracker.morePeers(id);
        else if (ev.type === 'start') {
          rec.startAt = clock.now();
          rec.startSeq = ev.seq;
        }
      },
    },
  });
  rec.engine = engine;
  // init + start chunk in one origin request, sent with the tracker join (engine option oneRequestStart)
  engine.prefetchStart();
  const neighbours = tracker.sample(id);
  const noUpload = tracker.noUpload(neighbours);
  tracker.add(id, rec.attack === 'lie' ? lyingMember(w, id, engine) : engine, latencyMs, rec.upload);
  // the tracker's `joined` and the manifest arrive after a round trip
  clock.setTimeout(
    () =>
      engine.join({
        peerId: id,
        epoch: w.epoch,
        init: origin.init!.meta,
        neighbours,
        noUpload,
        recentChunks: origin.recent(),
      }),
    2 * latencyMs,
  );
}

/** The engine, except that every chunk the origin announces is also claimed (`have`) to all its neighbours. */
function lyingMember(w: SimWorld, id: string, engine: SwarmPeer): SimMember {
  return {
    originEvent: (ev) => {
      engine.originEvent(ev);
      if (ev.type === 'chunk') w.net.sendToAll(id, JSON.stringify({ type: 'have', seq: ev.chunk.seq }));
    },
    addPeers: (ids, noUpload) => engine.addPeers(ids, noUpload),
    peerLeft: (peer) => engine.peerLeft(peer),
  };
}
