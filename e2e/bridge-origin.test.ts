/**
 * The player bridge listens on the user's loopback address, so every web page the user visits can reach
 * it: before it checked nothing, any page could send commands through it and read the answer
 * (`access-control-allow-origin: *`), and DNS rebinding reached it under a foreign Host. These are the
 * attacks, run from a real Chromium page on another origin and from raw HTTP with a forged Host; each
 * must be refused while the URL the bridge prints still plays.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, type TestBrowser } from './web/helpers/browser.js';
import { CLI, start, stopAll, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const COMMAND = 'action=inner_define&channel=0&cmd=get_device_st&type=live';

let sys: TestSystem;
let play: RunningProcess;
let printed: URL;
let attacker: Server;
let attackerUrl: string;
let browser: TestBrowser;

/** What a page can learn from a request: its status and first bytes, 'opaque', or the network error. */
const pageFetch = `async (a) => {
  try {
    const r = await fetch(a.url, { mode: a.mode });
    if (r.type === 'opaque') return 'opaque';
    const reader = r.body.getReader();
    const first = await reader.read();
    await reader.cancel();
    return r.status + ' ' + new TextDecoder().decode(first.value ?? new Uint8Array()).slice(0, 200);
  } catch (e) {
    return 'error ' + e.message;
  }
}`;

function rawGet(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > 200) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(chromiumMissing())('player bridge refuses other origins and foreign hosts', () => {
  beforeAll(async () => {
    sys = await startSystem();
    await sys.startDevice();
    play = start([CLI, 'play', 'demo/cam1', '--server', sys.serverUrl, '--data', sys.dataDir, '--bridge-port', '0']);
    printed = new URL((await play.waitForLine(/^play: (http:\/\/\S+)/))[1]!);
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>a web page'));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await stopAll();
    sys?.cleanup();
  });

  it('a page on another origin cannot send a command through it nor read the stream', async () => {
    const page = await browser.context.newPage();
    await page.goto(attackerUrl);
    const base = printed.origin;
    const guessed = `${base}/demo/cam1/ipc.flv?${COMMAND}`; // what any page can guess
    const leakedCommand = `${printed.origin}${printed.pathname}?${COMMAND}`; // even knowing the token
    const results: Record<string, string> = {};
    for (const [name, url, mode] of [
      ['guessed cors', guessed, 'cors'],
      ['guessed no-cors', guessed, 'no-cors'],
      ['leaked command cors', leakedCommand, 'cors'],
      ['leaked command no-cors', leakedCommand, 'no-cors'],
      ['leaked live cors', printed.href, 'cors'],
    ] as const) {
      results[name] = await page.evaluate(`(${pageFetch})(${JSON.stringify({ url, mode })})`);
    }
    await page.close();
    // the page read nothing: no command answer, no stream
    for (const [name, result] of Object.entries(results)) {
      expect(result, name).not.toMatch(/^200 /);
      expect(result, name).not.toContain('appConnectNum');
    }
    // and the bridge started no P2P request for any of them (its log names each one it starts)
    expect(play.lines.filter((l) => /^bridge bridge-\d+: demo\/cam1\//.test(l))).toEqual([]);
  });

  it('refuses a request under a foreign Host (DNS rebinding), even with the right path', async () => {
    const port = Number(printed.port);
    const path = `${printed.pathname}${printed.search}`;
    const rebound = await rawGet(port, path, `rebind.attacker.example:${port}`);
    expect(rebound.status).toBe(421);
    const plainPath = await rawGet(port, `/demo/cam1/ipc.flv?${COMMAND}`, `rebind.attacker.example:${port}`);
    expect(plainPath.status).toBe(421);
    expect(plainPath.body).not.toContain('appConnectNum');
  });

  it('passes only live and playback, and only under its token', async () => {
    const port = Number(printed.port);
    const host = printed.host;
    const command = await rawGet(port, `${printed.pathname}?${COMMAND}`, host);
    expect(command.status).toBe(403);
    expect(command.body).not.toContain('appConnectNum');
    const download = await rawGet(port, `${printed.pathname}?action=download&channel=0&file_name=x&offset=0`, host);
    expect(download.status).toBe(403);
    const voice = printed.pathname.replace(/ipc\.flv$/, 'voice');
    expect((await rawGet(port, `${voice}?channel=0`, host)).status).toBe(403);
    const noToken = await rawGet(port, '/demo/cam1/ipc.flv?action=live&channel=0', host);
    expect(noToken.status).toBe(404);
    // the printed URL itself still plays, and answers with no wildcard CORS
    const res = await fetch(printed.href);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/x-flv');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.body?.cancel();
  });
});
