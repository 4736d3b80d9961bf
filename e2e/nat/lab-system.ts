/**
 * The whole system inside the NAT lab: `xp2p server` (and optionally coturn) in the public namespace, one
 * `xp2p device` per camera host, viewers (viewer-process.mjs) started in viewer hosts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil, XP2P_CLI } from '@xp2p/testing';
import { PUBLIC_IP, type LabHost, type NatLab, type NsProcess } from './lab.js';

export const CLI = XP2P_CLI;
export const NAT_VIEWER = fileURLToPath(new URL('../helpers/viewer-process.mjs', import.meta.url));

export const LAB_PRODUCT = 'lab';
export const STUN_PORT = 3478;
export const TURN_PORT = 3479;
export const TURN_REALM = 'xp2p.lab';

const secret = () => randomBytes(24).toString('hex');

/** A lab test file's end: the namespaces and the system go, its work folder too, and its report is printed. */
export async function tearDownLab(
  lab: NatLab | undefined,
  sys: LabSystem | undefined,
  work: string,
  title: string,
  report: string[],
): Promise<void> {
  try {
    await lab?.close();
  } finally {
    sys?.cleanup();
    rmSync(work, { recursive: true, force: true });
    if (report.length) console.log(`${title}:\n  ${report.join('\n  ')}`);
  }
}

/**
 * NAT_VIEWER (e2e/helpers/viewer-process.mjs) in `viewer`'s namespace, watching `camera` of `sys`: ICE
 * gathers on the viewer's own address; `options` are the script's (out, durationMs, startRelay ...).
 */
export function startLabViewer(
  lab: NatLab,
  sys: LabSystem,
  viewer: LabHost,
  camera: LabHost,
  options: Record<string, unknown>,
  env: Record<string, string> = {},
): NsProcess {
  const base = { server: sys.serverUrl, appParams: sys.appParams, productId: LAB_PRODUCT };
  const watch = { ...base, deviceName: sys.cameraName(camera), bindAddress: viewer.ip, ...options };
  return lab.start(viewer.ns, [NAT_VIEWER, JSON.stringify(watch)], { env });
}

export interface LabSystem {
  dataDir: string;
  serverUrl: string;
  appParams: { appid: string; appKey: string; appSecretKey: string };
  server: NsProcess;
  cameras: Map<LabHost, NsProcess>;
  /** the camera's device name for a camera host */
  cameraName(host: LabHost): string;
  cleanup(): void;
}

/**
 * Where the server runs: by default on the public side (PUBLIC_IP, a free port). `behindNat`: in a lab
 * host, listening on its private address, as a cloud VM behind 1:1 NAT: the host's router forwards `port`
 * (TCP) to it (and, being a full-cone router, all inbound UDP, so STUN on STUN_PORT), and clients reach it
 * by `name`, which every lab namespace resolves to the router's public address.
 */
export interface LabServerPlacement {
  behindNat?: { host: LabHost; name: string; port: number };
  /** the server's TURN config: it hands every client short-lived credentials for these URLs */
  turn?: { urls: string[]; secret: string };
}

/** Writes a config with one camera per camera host, starts the server and the cameras. */
export async function startLabSystem(
  lab: NatLab,
  cameraHosts: LabHost[],
  /** extra `xp2p device` flags for a camera host (e.g. another --source) */
  deviceArgs: (h: LabHost) => string[] = () => [],
  placement: LabServerPlacement = {},
): Promise<LabSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xp2p-nat-'));
  const cameraName = (h: LabHost) => `cam-${h.index}-${h.type}`;
  const app = {
    appid: `app-${secret().slice(0, 6)}`,
    appOauthId: 'oauth-lab',
    appKey: secret().slice(0, 16),
    appSecretKey: secret(),
    appPackage: 'dev.xp2p.natlab',
  };
  const config = {
    version: 1,
    server: { host: PUBLIC_IP, port: 0, stunPort: STUN_PORT },
    apps: [app],
    devices: cameraHosts.map((h) => ({ productId: LAB_PRODUCT, deviceName: cameraName(h), secret: secret() })),
    publishKey: secret(),
    ...(placement.turn ? { turn: placement.turn } : {}),
  };
  writeFileSync(join(dataDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const nat = placement.behindNat;
  if (nat) {
    if (nat.host.type !== 'fc') throw new Error('a server behind NAT needs a full-cone router (1:1 NAT for UDP)');
    await lab.exec(nat.host.router, 'nft', [
      ...['add', 'rule', 'ip', 'natlab', 'prerouting', 'iifname', 'wan0', 'tcp', 'dport', String(nat.port)],
      ...['dnat', 'to', nat.host.ip],
    ]);
    lab.addHostName(nat.name, nat.host.publicIp);
  }
  const server = lab.start(nat ? nat.host.ns : lab.pub, [
    CLI,
    'server',
    '--host',
    nat ? nat.host.ip : PUBLIC_IP,
    '--port',
    nat ? String(nat.port) : '0',
    '--stun-port',
    String(STUN_PORT),
    '--data',
    dataDir,
    '--insecure', // plaintext inside the lab's own namespaces (TLS is tested on its own)
  ]);
  // A fresh data directory loads the embedded database (a 40 MB template) first: seconds, more when other lab
  // files start servers at the same moment on a loaded machine. Start-up is not what these tests measure.
  const m = await server.waitForLine(/^server: (http:\/\/\S+)/, 60_000);
  const serverUrl = nat ? `http://${nat.name}:${nat.port}` : (m[1] ?? '');
  const cameras = new Map<LabHost, NsProcess>();
  await Promise.all(
    cameraHosts.map(async (h) => {
      const device = lab.start(h.ns, [
        CLI,
        'device',
        '--server',
        serverUrl,
        '--data',
        dataDir,
        '--product',
        LAB_PRODUCT,
        '--name',
        cameraName(h),
        '--bind',
        h.ip,
        '--max-viewers',
        '8',
        '--insecure',
        ...deviceArgs(h),
      ]);
      cameras.set(h, device);
      await device.waitForLine(/^device: .* online/, 20_000);
    }),
  );
  return {
    dataDir,
    serverUrl,
    appParams: { appid: app.appid, appKey: app.appKey, appSecretKey: app.appSecretKey },
    server,
    cameras,
    cameraName,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export const TURN_TLS_PORT = 5349;

/** The coturn config the project ships (denied private peers, quotas, bandwidth); the lab adds its addresses. */
export const COTURN_CONF = fileURLToPath(new URL('../../deploy/coturn/turnserver.conf', import.meta.url));

/**
 * Starts coturn in the public namespace with the shipped config (deploy/coturn/turnserver.conf:
 * `use-auth-secret` credentials, private and special peer ranges denied, quotas), plus the lab's own
 * addresses and secret on the command line: relay ports 40000–65535 (UDP relaying). Clients reach it on
 * TURN_PORT over UDP and TCP, and with `tls` (PEM certificate and key files) over TLS on TURN_TLS_PORT too.
 * Resolves when it listens.
 */
export async function startCoturn(
  lab: NatLab,
  dataDir: string,
  staticAuthSecret: string,
  tls?: { cert: string; key: string },
): Promise<{ proc: NsProcess; url: string }> {
  const proc = lab.start(
    lab.pub,
    [
      '-c',
      COTURN_CONF,
      '--listening-ip',
      PUBLIC_IP,
      '--listening-port',
      String(TURN_PORT),
      '--relay-ip',
      PUBLIC_IP,
      '--min-port',
      '40000',
      '--max-port',
      '65535',
      '--static-auth-secret',
      staticAuthSecret,
      '--realm',
      TURN_REALM,
      ...(tls ? ['--tls-listening-port', String(TURN_TLS_PORT), '--cert', tls.cert, '--pkey', tls.key] : ['--no-tls']),
      '--no-dtls',
      '--no-rfc5780',
      '--db',
      join(dataDir, 'turndb'),
      '--pidfile',
      join(dataDir, 'turnserver.pid'),
      '--log-file',
      'stdout',
      '--simple-log',
    ],
    { command: 'turnserver' },
  );
  const listening = async (): Promise<boolean> => {
    if (proc.proc.exitCode !== null) throw new Error(`coturn exited:\n${proc.lines.slice(-20).join('\n')}`);
    const sockets = await lab.exec(lab.pub, 'ss', ['-Hulnp', `sport = :${TURN_PORT}`]).catch(() => '');
    if (!sockets.includes('turnserver')) return false;
    if (!tls) return true;
    const tlsSockets = await lab.exec(lab.pub, 'ss', ['-Htlnp', `sport = :${TURN_TLS_PORT}`]).catch(() => '');
    return tlsSockets.includes('turnserver');
  };
  await waitUntil(listening, {
    timeoutMs: 10_000,
    intervalMs: 100,
    what: () =>
      `coturn to listen on UDP ${TURN_PORT}${tls ? ` and TLS ${TURN_TLS_PORT}` : ''}:\n${proc.lines.slice(-20).join('\n')}`,
  });
  return { proc, url: `turn:${PUBLIC_IP}:${TURN_PORT}?transport=udp` };
}
