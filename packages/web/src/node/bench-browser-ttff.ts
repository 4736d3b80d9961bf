/**
 * Browser TTFF for `npm run bench`: Chromium signs in to the web app once (name and password of a user
 * who may watch the camera; the browser holds a session cookie, never an app secret), then opens the
 * camera N times (a fresh page each time, so each run inits the sdk and connects anew) and the page reports
 * the time from its startP2PService call to the first frame on screen (the live view's `data-ttff-ms`).
 */
import { launchChromium } from './chromium.js';
import { serveWeb } from './serve-web.js';

export interface BrowserTtffOptions {
  /** The running signalling server, e.g. http://127.0.0.1:18080 */
  serverUrl: string;
  /** a web user who holds a role on the camera (the demo's `demo` user: .xp2p/dev-credentials.json) */
  user: { name: string; password: string };
  /** "productId/deviceName"; default demo/cam1 */
  camera?: string;
  runs?: number;
  executablePath?: string;
  /** per run */
  timeoutMs?: number;
}

export interface BrowserTtffResult {
  samplesMs: number[];
  p50Ms: number;
  p95Ms: number;
  /** runs that showed no frame within the timeout */
  failures: number;
}

export async function benchBrowserTtff(o: BrowserTtffOptions): Promise<BrowserTtffResult> {
  const camera = o.camera ?? 'demo/cam1';
  const web = await serveWeb({ upstream: o.serverUrl });
  const browser = await launchChromium({ executablePath: o.executablePath });
  const samplesMs: number[] = [];
  let failures = 0;
  try {
    const signIn = await browser.context.newPage();
    await signIn.goto(`${web.url}/#/signin`);
    await signIn.locator('input[name=name]').fill(o.user.name);
    await signIn.locator('input[name=password]').fill(o.user.password);
    await signIn.locator('form.signin button[type=submit]').click();
    await signIn.locator('[data-role=sign-out]').waitFor({ timeout: o.timeoutMs ?? 15_000 });
    await signIn.close();
    for (let i = 0; i < (o.runs ?? 10); i++) {
      const page = await browser.context.newPage();
      try {
        await page.goto(`${web.url}/#/camera/${camera}`);
        const stats = page.locator('[data-ttff-ms]');
        await stats.waitFor({ timeout: o.timeoutMs ?? 15_000 });
        samplesMs.push(Number(await stats.getAttribute('data-ttff-ms')));
      } catch {
        failures++;
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await web.close();
  }
  return { samplesMs, p50Ms: percentile(samplesMs, 0.5), p95Ms: percentile(samplesMs, 0.95), failures };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
