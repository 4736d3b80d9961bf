/**
 * The small HTML page `GET /` answers when no web app is configured, so the URL the CLI prints never
 * 404s: version, cameras online with their viewers, live streams. Read-only and unsigned like
 * `/api/streams`; it shows names and counts only, never secrets or tokens, and only to a browser signed in to
 * the web app (the one-time `web:` link the server prints, or `POST /api/web/sign-in`); others get a 401
 * page that says how to sign in.
 */
import type { ServerResponse } from 'node:http';
import type { DeviceStatus } from '../signal/presence.js';

export interface StatusSnapshot {
  version: string;
  node: string;
  ready: boolean;
  devices: DeviceStatus[];
  streams: { name: string; live: boolean; peers: number }[];
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderStatusPage(s: StatusSnapshot): string {
  const online = s.devices.filter((d) => d.online);
  const viewers = online.reduce((sum, d) => sum + d.viewers, 0);
  const cameraRows = online
    .map((d) => `<li>${escapeHtml(`${d.productId}/${d.deviceName}`)} — ${d.viewers} viewer(s)</li>`)
    .join('');
  const streamRows = s.streams
    .map((st) => `<li>${escapeHtml(st.name)} — ${st.live ? 'live' : 'ended'}, ${st.peers} peer(s)</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>xp2p server</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto">
<h1>xp2p server ${escapeHtml(s.version)}</h1>
<p>node ${escapeHtml(s.node)} · ${s.ready ? 'ready' : 'not ready'}</p>
<h2>Cameras online: ${online.length} of ${s.devices.length}, viewers: ${viewers}</h2>
<ul>${cameraRows || '<li>none</li>'}</ul>
<h2>Live streams: ${s.streams.filter((st) => st.live).length}</h2>
<ul>${streamRows || '<li>none</li>'}</ul>
<p>No web app is configured on this server (start it with <code>--web-root DIR</code>).
Operators: <a href="/metrics">/metrics</a>, <a href="/readyz">/readyz</a>, <a href="/api/streams">/api/streams</a>.</p>
</body></html>
`;
}

export function sendStatusPage(res: ServerResponse, snapshot: StatusSnapshot, head: boolean): void {
  const html = renderStatusPage(snapshot);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-cache',
  });
  res.end(head ? undefined : html);
}

/** What `/` answers a browser that is not signed in. */
export function sendSignInNeeded(res: ServerResponse, head: boolean): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>xp2p server: sign in</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto">
<h1>Sign in first</h1>
<p>This page lists the server's cameras, so it needs a signed-in user: open the one-time <code>web:</code> link
the server printed at start, or sign in with <code>POST /api/web/sign-in</code>.</p>
</body></html>
`;
  res.writeHead(401, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : html);
}
