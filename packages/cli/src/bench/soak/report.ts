/** RELIABILITY.md from one soak run: what ran, every kill and its recovery, resources, integrity, losses. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { RECOVERY_BOUND_MS, type PartKind } from './cast.js';
import type { DownloadCheck } from './integrity.js';
import type { Trend } from './resources.js';

export interface KillRecord {
  atS: number;
  part: string;
  kind: PartKind;
  recoveredMs?: number;
  error?: string;
}

export interface SoakReport {
  minutes: number;
  killEveryS: number;
  loadAverage: number;
  kills: KillRecord[];
  trends: Trend[];
  downloads: DownloadCheck[];
  recordings: { file: string; errors: string }[];
  /** unplanned exits: parts that died without being killed, and publisher restarts */
  unplanned: string[];
  liveGaps: string[];
}

const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;

export function writeReliability(path: string, r: SoakReport): void {
  const survived = r.kills.filter((k) => k.error === undefined).length;
  const corrupt = r.downloads.filter((d) => d.outcome === 'corrupt');
  const badRecordings = r.recordings.filter((x) => x.errors !== '');
  const lost = [
    ...r.liveGaps,
    ...r.unplanned,
    ...r.downloads
      .filter((d) => d.outcome !== 'identical')
      .map((d) => `download of ${d.file} ${d.outcome}: ${d.detail}`),
    ...badRecordings.map((x) => `recording ${x.file} does not decode cleanly`),
  ];
  const lines = [
    START,
    '## Long runs with kills (`npm run soak`)',
    '',
    'Written by `npm run soak` (`SOAK_MINUTES`, default 30). A real redis-server and PostgreSQL, two `xp2p server --redis --db` nodes, a camera',
    '(`xp2p device`, recording 20 s segments, logged in with both nodes as failover), a 1v1 viewer (`xp2p play` through node B, read',
    'by an HTTP-FLV player), and a 6-peer 1vN swarm (`xp2p watch`, each read by a player) of a stream `xp2p publish` pushes to node A.',
    `Every ${r.killEveryS} s after warm-up the driver kill -9s one random part (kinds drawn without repetition until each had its turn),`,
    'starts it again, and times how long until it serves again. Recordings are downloaded over P2P while the kills happen and at the',
    "end, and compared byte for byte (sha256) with the camera's files; every recording is decoded with ffmpeg.",
    '',
    `### Last run: ${r.minutes} minutes, ${r.kills.length} kills, ${survived} recovered within bound (load average ${r.loadAverage} on 2 shared cores)`,
    '',
    '| at | killed (kill -9) | recovered in | bound | what "recovered" means | outcome |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.kills.map(
      (k) =>
        `| ${k.atS} s | ${k.part} | ${k.recoveredMs === undefined ? '—' : `${(k.recoveredMs / 1000).toFixed(1)} s`} | ` +
        `${RECOVERY_BOUND_MS[k.kind] / 1000} s | ${MEANING[k.kind]} | ${k.error === undefined ? 'survived' : `NOT recovered: ${k.error}`} |`,
    ),
    '',
    '### Resources after warm-up',
    '',
    'Per process, its longest-lived run: the first sample after warm-up against the end (RSS: median of the last three samples).',
    "Timers are the node's active `Timeout` resources from its /metrics; other processes do not expose them.",
    '',
    '| process | judged over | RSS | open fds | timers | flat |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.trends.map(
      (t) =>
        `| ${t.part} | ${t.span} s | ${mb(t.rss[0])} → ${mb(t.rss[1])} | ${t.fds[0]} → ${t.fds[1]} | ` +
        `${t.timers ? `${t.timers[0]} → ${t.timers[1]}` : 'not reachable'} | ${t.flat ? 'yes' : 'NO'} |`,
    ),
    '',
    '### Integrity',
    '',
    `- Downloads of recordings over P2P: ${r.downloads.length}, identical ${r.downloads.filter((d) => d.outcome === 'identical').length}, ` +
      `corrupt ${corrupt.length}, failed ${r.downloads.filter((d) => d.outcome === 'failed').length}.`,
    ...r.downloads.map((d) => `  - ${d.file}: ${d.outcome} (${d.bytes} bytes, ${d.detail})`),
    `- Recordings decoded: ${r.recordings.length}, with decode errors ${badRecordings.length}.`,
    ...badRecordings.map((x) => `  - ${x.file}: ${x.errors.split('\n').slice(0, 2).join(' / ')}`),
    '',
    '### What was lost',
    '',
    ...(lost.length ? lost.map((l) => `- ${l}`) : ['- Nothing.']),
    '',
  ];
  lines.push(END);
  writeFileSync(path, spliceSection(existsSync(path) ? readFileSync(path, 'utf8') : '', lines.join('\n')));
}

const START = '<!-- soak:start (written by npm run soak) -->';
const END = '<!-- soak:end -->';

/** The soak's section replaces its previous one (between the markers) or is appended; the rest stays. */
export function spliceSection(page: string, section: string): string {
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  if (from >= 0 && to > from) return page.slice(0, from) + section + page.slice(to + END.length);
  return `${page.trimEnd()}${page ? '\n\n' : ''}${section}\n`;
}

const MEANING: Record<PartKind, string> = {
  redis: 'both nodes ready, a command through node B reaches the camera',
  node: 'the node ready, a command through it reaches the camera',
  camera: 'a command through node B reaches the restarted camera',
  viewer: 'the restarted viewer delivers live bytes to its player',
  peer: 'the restarted peer delivers live bytes to its player',
};
