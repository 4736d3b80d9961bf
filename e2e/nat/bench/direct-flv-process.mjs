#!/usr/bin/env node
// The baseline of the lab bench's TTFF: GET of the camera's own HTTP-FLV endpoint until the first complete
// video keyframe, run inside a viewer namespace. Input: one JSON argument {url, runs, keepAlive?}.
// keepAlive: each GET on a connection opened just before it (the warm baseline: no TCP handshake inside the
// span; a live response never ends, so each run's connection closes with it). Prints {"direct": ms} per run.
import { Agent, request } from 'node:http';
import { FlvDemuxer, isAvcSequenceHeader, isVideoKeyframe } from '@xp2p/protocol';

const o = JSON.parse(process.argv[2] ?? '{}');
function firstKeyframeMs(url, agent) {
  return new Promise((resolve, reject) => {
    const demuxer = new FlvDemuxer();
    const t0 = performance.now();
    const req = request(url, { agent }, (res) => {
      res.on('data', (chunk) => {
        for (const tag of demuxer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
          if (isVideoKeyframe(tag) && !isAvcSequenceHeader(tag)) {
            resolve(performance.now() - t0);
            req.destroy();
            return;
          }
        }
      });
      res.on('error', () => {});
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no keyframe within 10 s')));
    req.end();
  });
}

/** An agent holding one connection to the camera, opened by a request that completes. */
async function preconnected() {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await new Promise((resolve, reject) =>
    request(new URL('/healthz', o.url), { agent }, (res) => res.resume().on('end', resolve))
      .on('error', reject)
      .end(),
  );
  return agent;
}

for (let i = 0; i < o.runs; i++) {
  try {
    const agent = o.keepAlive ? await preconnected() : false;
    process.stdout.write(`${JSON.stringify({ direct: await firstKeyframeMs(o.url, agent) })}\n`);
    if (agent) agent.destroy();
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: String(err.message) })}\n`);
  }
  await new Promise((r) => setTimeout(r, 200));
}
process.exit(0);
