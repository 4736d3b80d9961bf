#!/usr/bin/env node
// The baseline of the lab bench's TTFF: GET of the camera's own HTTP-FLV endpoint until the first complete
// video keyframe, run inside a viewer namespace. Input: one JSON argument {url, runs, keepAlive?}.
// keepAlive: every GET on one connection opened beforehand (the warm baseline). Prints {"direct": ms} per run.
import { Agent, request } from 'node:http';
import { FlvDemuxer, isAvcSequenceHeader, isVideoKeyframe } from '@xp2p/protocol';

const o = JSON.parse(process.argv[2] ?? '{}');
const agent = o.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;

function firstKeyframeMs(url) {
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

if (agent) {
  // open the kept-alive connection first (a request that completes)
  await new Promise((resolve, reject) =>
    request(new URL('/healthz', o.url), { agent }, (res) => res.resume().on('end', resolve))
      .on('error', reject)
      .end(),
  );
}
for (let i = 0; i < o.runs; i++) {
  try {
    process.stdout.write(`${JSON.stringify({ direct: await firstKeyframeMs(o.url) })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: String(err.message) })}\n`);
  }
  await new Promise((r) => setTimeout(r, 200));
}
process.exit(0);
