/**
 * Floods against one server (`xp2p bench`): idle TCP connections, slow HTTP clients (headers a byte at a
 * time), WebSockets that send garbage, and WebSockets that never read. They come from many loopback
 * source addresses (127.0.1.x), as a botnet would from many hosts, so the per-address join limit alone
 * does not end them. During each, a real viewer fetches an xp2pInfo and sends a command to the camera
 * over P2P; the server's RSS is sampled (it must stay bounded) and the floods' own fate is counted.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fetchXp2pInfo, type AppParams } from '@xp2p/sdk/node';
import WebSocket from 'ws';
import { commandRoundTrips } from './one-to-one.js';

export interface FloodResult {
  name: string;
  /** connections the flood opened */
  connections: number;
  /** connections the server still held when the flood ended (it cuts idle, slow and silent ones) */
  heldAtEnd: number;
  xp2pInfoMs: number;
  /** connect + one command round trip over P2P, ms; NaN when it failed */
  commandMs: number;
  peakRssMb: number;
}

const SOURCES = 40;
const sourceAddress = (i: number) => `127.0.1.${(i % SOURCES) + 1}`;
const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** Established TCP connections at the server's port, counted on the server's side (`ss`): a client that
 * reads nothing never sees its connection cut, so only the server's side tells. */
const serverHeld = (port: number): number =>
  execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean).length;

interface Flood {
  name: string;
  start(port: number): Promise<() => void>;
}

const tcp = (port: number, i: number): Socket => {
  const s = connect({ port, host: '127.0.0.1', localAddress: sourceAddress(i) });
  s.on('error', () => {});
  return s;
};

function idleTcp(count: number): Flood {
  return {
    name: 'idle_tcp',
    async start(port) {
      const sockets = Array.from({ length: count }, (_, i) => tcp(port, i));
      return () => sockets.forEach((s) => s.destroy());
    },
  };
}

function slowHttp(count: number): Flood {
  return {
    name: 'slow_http',
    async start(port) {
      const sockets = Array.from({ length: count }, (_, i) => {
        const s = tcp(port, i);
        s.write('GET /api/devices HTTP/1.1\r\nHost: x\r\n');
        return s;
      });
      const timer = setInterval(() => sockets.forEach((s) => s.writable && s.write('X')), 500);
      return () => {
        clearInterval(timer);
        sockets.forEach((s) => s.destroy());
      };
    },
  };
}

function wsGarbage(count: number, wsUrl: string): Flood {
  return {
    name: 'ws_garbage',
    async start() {
      let stopped = false;
      const open = new Set<WebSocket>();
      const one = (i: number): void => {
        if (stopped) return;
        const ws = new WebSocket(wsUrl, { localAddress: sourceAddress(i) });
        open.add(ws);
        ws.on('error', () => {});
        ws.on('open', () => {
          const timer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(randomBytes(64)), 10);
          ws.once('close', () => clearInterval(timer));
        });
        ws.once('close', () => {
          open.delete(ws);
          setTimeout(() => one(i), 50); // and again, as a flood does
        });
      };
      for (let i = 0; i < count; i++) one(i);
      return () => {
        stopped = true;
        open.forEach((ws) => ws.terminate());
      };
    },
  };
}

function wsNeverReading(count: number, port: number): Flood {
  return {
    name: 'ws_noread',
    async start() {
      const sockets = Array.from({ length: count }, (_, i) => {
        const s = tcp(port, i);
        s.write(
          'GET /signal/device HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
        s.pause(); // reads nothing, ever
        return s;
      });
      return () => sockets.forEach((s) => s.destroy());
    },
  };
}

async function measureDuring(flood: Flood, o: FloodOptions, counts: { connections: number }): Promise<FloodResult> {
  const heldBefore = serverHeld(o.port);
  const stop = await flood.start(o.port);
  let peak = rssMb(o.serverPid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(o.serverPid))), 250);
  await new Promise((r) => setTimeout(r, 2_000)); // let the flood build up
  const t0 = performance.now();
  await fetchXp2pInfo(o.app, o.device);
  const xp2pInfoMs = performance.now() - t0;
  const t1 = performance.now();
  const commandMs = await commandRoundTrips(o.app, o.device, 1).then(
    () => performance.now() - t1,
    () => Number.NaN,
  );
  await new Promise((r) => setTimeout(r, Math.max(0, o.holdMs - (performance.now() - t0))));
  clearInterval(sampler);
  const heldAtEnd = Math.max(0, serverHeld(o.port) - heldBefore);
  stop();
  await new Promise((r) => setTimeout(r, 1_500)); // let the server release what the flood held
  return { name: flood.name, connections: counts.connections, heldAtEnd, xp2pInfoMs, commandMs, peakRssMb: peak };
}

export interface FloodOptions {
  port: number;
  serverPid: number;
  app: AppParams & { serverUrl: string };
  device: { productId: string; deviceName: string };
  /** how long each flood lasts (ms) */
  holdMs: number;
  idleTcp: number;
  slowHttp: number;
  wsGarbage: number;
  wsNoRead: number;
}

export async function runFloods(o: FloodOptions): Promise<{ baselineRssMb: number; results: FloodResult[] }> {
  const baselineRssMb = rssMb(o.serverPid);
  const wsUrl = `${o.app.serverUrl.replace(/^http/, 'ws')}/signal/device`;
  const results: FloodResult[] = [];
  for (const [flood, connections] of [
    [idleTcp(o.idleTcp), o.idleTcp],
    [slowHttp(o.slowHttp), o.slowHttp],
    [wsGarbage(o.wsGarbage, wsUrl), o.wsGarbage],
    [wsNeverReading(o.wsNoRead, o.port), o.wsNoRead],
  ] as const) {
    const r = await measureDuring(flood, o, { connections });
    console.log(
      `flood ${r.name}: ${r.connections} connections, ${r.heldAtEnd} still held by the server at the end; xp2pInfo ${Math.round(r.xp2pInfoMs)} ms, ` +
        `command ${Number.isNaN(r.commandMs) ? 'FAILED' : `${Math.round(r.commandMs)} ms`}, server RSS ≤ ${Math.round(r.peakRssMb)} MB`,
    );
    results.push(r);
  }
  return { baselineRssMb, results };
}

/** The figures for bench/results.json. */
export function floodFigures(f: { baselineRssMb: number; results: FloodResult[] }): Record<string, number> {
  const out: Record<string, number> = { flood_baseline_rss_mb: Math.round(f.baselineRssMb) };
  for (const r of f.results) {
    out[`flood_${r.name}_connections`] = r.connections;
    out[`flood_${r.name}_held_at_end`] = r.heldAtEnd;
    out[`flood_${r.name}_xp2pinfo_ms`] = Math.round(r.xp2pInfoMs);
    out[`flood_${r.name}_command_ok`] = Number.isNaN(r.commandMs) ? 0 : 1;
    out[`flood_${r.name}_command_ms`] = Number.isNaN(r.commandMs) ? -1 : Math.round(r.commandMs);
    out[`flood_${r.name}_peak_rss_mb`] = Math.round(r.peakRssMb);
  }
  return out;
}
