/**
 * Checks over HTTP(S) from outside: the server answers (/healthz), is ready (/readyz names what is not:
 * Redis, draining), its clock agrees with ours (the Date header: viewer tokens and signed app requests are
 * only valid within minutes of the server's time), and its TLS certificate is valid with days to spare.
 */
import { connect, type PeerCertificate } from 'node:tls';
import type { CheckResult } from './check.js';

/** Signed app requests are refused beyond APP_SIGNATURE_MAX_AGE_S (300 s); warn well before. */
const CLOCK_SKEW_WARN_S = 30;
const CLOCK_SKEW_FAIL_S = 240;
const CERT_WARN_DAYS = 14;

export interface HttpFindings {
  reachable: CheckResult;
  clock?: CheckResult;
  ready?: CheckResult;
}

export async function checkHttp(base: string, timeoutMs: number): Promise<HttpFindings> {
  const sentAt = Date.now();
  let res: Response;
  try {
    res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    return {
      reachable: {
        name: 'reachable',
        status: 'fail',
        detail: `${base}/healthz: ${why}`,
        fix: 'is xp2p-server running (systemctl status xp2p-server) and the port or proxy open?',
      },
    };
  }
  const rttMs = Date.now() - sentAt;
  const reachable: CheckResult =
    res.status === 200
      ? { name: 'reachable', status: 'ok', detail: `${base} answers /healthz in ${rttMs} ms` }
      : {
          name: 'reachable',
          status: 'fail',
          detail: `${base}/healthz answered ${res.status}`,
          fix: 'a proxy in front may not forward to the server (see deploy/nginx/xp2p.conf)',
        };
  return {
    reachable,
    clock: clockCheck(res.headers.get('date'), sentAt, rttMs),
    ready: await readyCheck(base, timeoutMs),
  };
}

function clockCheck(dateHeader: string | null, sentAt: number, rttMs: number): CheckResult {
  const serverMs = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  if (!Number.isFinite(serverMs)) return { name: 'clock', status: 'skip', detail: 'the server sent no Date header' };
  // The Date header has whole seconds: compare against the middle of the request, allow 1 s of rounding.
  const skewS = Math.round((sentAt + rttMs / 2 - serverMs) / 1000);
  const detail = `this machine is ${Math.abs(skewS)} s ${skewS >= 0 ? 'ahead of' : 'behind'} the server`;
  if (Math.abs(skewS) <= CLOCK_SKEW_WARN_S) return { name: 'clock', status: 'ok', detail };
  return {
    name: 'clock',
    status: Math.abs(skewS) > CLOCK_SKEW_FAIL_S ? 'fail' : 'warn',
    detail,
    fix: 'synchronise both clocks (systemd-timesyncd or chrony): tokens and signed requests expire in minutes',
  };
}

async function readyCheck(base: string, timeoutMs: number): Promise<CheckResult> {
  const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json().catch(() => ({}))) as { ready?: boolean; reasons?: string[] };
  if (res.status === 200 && body.ready)
    return { name: 'ready', status: 'ok', detail: 'ready (cluster store reachable or not used)' };
  const reasons = body.reasons ?? [`/readyz answered ${res.status}`];
  const redis = reasons.some((r) => /redis/i.test(r));
  return {
    name: 'ready',
    status: 'fail',
    detail: `not ready: ${reasons.join('; ')}`,
    fix: redis
      ? 'start redis-server or fix --redis (redis://HOST:PORT); every node needs it'
      : 'the server is starting or draining; check its log (journalctl -u xp2p-server)',
  };
}

/** TLS of an https:// base URL: the certificate verifies for the host name, and how long it has left. */
export async function checkTls(base: string, timeoutMs: number, now: number = Date.now()): Promise<CheckResult> {
  const url = new URL(base);
  if (url.protocol !== 'https:') {
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return loopback
      ? { name: 'tls', status: 'skip', detail: 'plain http on loopback' }
      : {
          name: 'tls',
          status: 'warn',
          detail: `${base} is plain http: browsers refuse the microphone and tokens travel in clear`,
          fix: 'serve https (deploy/nginx/xp2p.conf, or --tls-cert/--tls-key)',
        };
  }
  const port = Number(url.port || 443);
  const cert = await new Promise<PeerCertificate>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port, servername: url.hostname, timeout: timeoutMs }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', reject);
  }).catch((err: Error) => err);
  if (cert instanceof Error) {
    return {
      name: 'tls',
      status: 'fail',
      detail: `${url.host}: ${cert.message}`,
      fix: 'install a certificate for this name from a public CA (certbot), or give clients the private CA (NODE_EXTRA_CA_CERTS)',
    };
  }
  const daysLeft = Math.floor((Date.parse(cert.valid_to) - now) / 86_400_000);
  const detail = `certificate for ${url.hostname} valid, ${daysLeft} days left (until ${cert.valid_to})`;
  if (daysLeft >= CERT_WARN_DAYS) return { name: 'tls', status: 'ok', detail };
  return {
    name: 'tls',
    status: 'warn',
    detail,
    fix: 'renew it now (certbot renew); the server reloads it without a restart',
  };
}
