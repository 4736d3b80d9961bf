/**
 * deploy/ checked with the real tools (Debian packages scripts/setup.sh installs): promtool validates the
 * Prometheus config and rules and runs the rule tests that fire each alert; nginx -t loads the proxy config
 * with a test certificate; systemd-analyze verify loads the units; every coturn directive is one turnserver
 * knows and the relay denies private ranges; and every metric the alerts and the dashboard query is one a
 * real xp2p server exports.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevConfig, startServer, type RunningServer } from '@xp2p/server';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
/** The installed `xp2p` command: the cli package's bin, found through the package (its manifest is exported). */
const CLI_MANIFEST = fileURLToPath(import.meta.resolve('@xp2p/cli/package.json'));
const XP2P_BIN = join(
  dirname(CLI_MANIFEST),
  (JSON.parse(readFileSync(CLI_MANIFEST, 'utf8')) as { bin: { xp2p: string } }).bin.xp2p,
);
const work = mkdtempSync(join(tmpdir(), 'xp2p-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a tool; resolves with its exit code and output instead of throwing. */
async function tool(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { maxBuffer: 8 * 1024 * 1024 });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const withTestCert = (text: string, cert: string, key: string) =>
  text
    .replaceAll('/etc/letsencrypt/live/cam.example.com/fullchain.pem', cert)
    .replaceAll('/etc/letsencrypt/live/cam.example.com/privkey.pem', key);

describe('prometheus', () => {
  it('promtool check config', async () => {
    const r = await tool('promtool', ['check', 'config', join(DEPLOY, 'prometheus/prometheus.yml')]);
    expect(r.out).toContain('is valid prometheus config file syntax');
    expect(r.code).toBe(0);
  });

  it('promtool check rules: seven alerts', async () => {
    const r = await tool('promtool', ['check', 'rules', join(DEPLOY, 'prometheus/xp2p-alerts.yml')]);
    expect(r.out).toContain('SUCCESS: 7 rules found');
    expect(r.code).toBe(0);
  });

  it('promtool test rules: each alert fires on its series and not on healthy ones', async () => {
    const rules = readFileSync(join(DEPLOY, 'prometheus/xp2p-alerts.yml'), 'utf8');
    const tests = readFileSync(join(DEPLOY, 'prometheus/xp2p-alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toHaveLength(7);
    for (const name of alerts)
      expect(tests, `a rule test for ${name}`).toMatch(
        new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
      );
    const r = await tool('promtool', ['test', 'rules', join(DEPLOY, 'prometheus/xp2p-alerts.test.yml')]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});

describe('nginx, systemd, coturn', () => {
  let cert: string;
  let key: string;
  beforeAll(async () => {
    cert = join(work, 'cert.pem');
    key = join(work, 'key.pem');
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=cam.example.com'];
    await run('openssl', [...args, '-keyout', key, '-out', cert]);
  });

  it('nginx -t accepts the reverse proxy (TLS, WebSocket upgrade) with a test certificate', async () => {
    const site = join(work, 'xp2p.conf');
    writeFileSync(site, withTestCert(readFileSync(join(DEPLOY, 'nginx/xp2p.conf'), 'utf8'), cert, key));
    const main = join(work, 'nginx.conf');
    writeFileSync(
      main,
      `pid ${work}/nginx.pid;\nerror_log ${work}/error.log;\nevents {}\nhttp {\n  include ${site};\n}\n`,
    );
    const r = await tool('nginx', ['-t', '-c', main, '-p', work, '-e', join(work, 'error.log')]);
    expect(r.out).toContain('test is successful');
    expect(r.out).not.toMatch(/\[warn\]|\[emerg\]/);
    expect(r.code).toBe(0);
    const text = readFileSync(site, 'utf8');
    expect(text).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(text).toMatch(/listen 443 ssl/);
  });

  it('systemd-analyze verify loads both units with no complaint; both are sandboxed', async () => {
    const dir = join(work, 'units');
    await run('mkdir', ['-p', dir]);
    const files: string[] = [];
    for (const name of readdirSync(join(DEPLOY, 'systemd')).filter((f) => f.endsWith('.service'))) {
      const text = readFileSync(join(DEPLOY, 'systemd', name), 'utf8');
      for (const directive of ['DynamicUser=yes', 'ProtectSystem=strict', 'StateDirectory=', 'LoadCredential=']) {
        expect(text, `${name}: ${directive}`).toContain(directive);
      }
      // the real xp2p command instead of the install path, so verify can check that it is executable
      const file = join(dir, name.replace('@.service', '@test.service'));
      writeFileSync(file, text.replaceAll('/usr/local/bin/xp2p', XP2P_BIN));
      files.push(file);
    }
    expect(files).toHaveLength(2);
    const r = await tool('systemd-analyze', ['verify', ...files]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('coturn: every directive is one turnserver knows; private, loopback, link-local and multicast peers denied', async () => {
    const help = (await tool('turnserver', ['--help'])).out;
    const conf = readFileSync(join(DEPLOY, 'coturn/turnserver.conf'), 'utf8');
    const directives = conf
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('=')[0]!);
    for (const d of new Set(directives)) expect(help, `turnserver option --${d}`).toContain(`--${d}`);
    const denied = [...conf.matchAll(/^denied-peer-ip=(\S+)$/gm)].map((m) => m[1]);
    expect(denied).toEqual(
      expect.arrayContaining([
        '10.0.0.0-10.255.255.255',
        '172.16.0.0-172.31.255.255',
        '192.168.0.0-192.168.255.255',
        '100.64.0.0-100.127.255.255',
        '127.0.0.0-127.255.255.255',
        '169.254.0.0-169.254.255.255',
        '224.0.0.0-239.255.255.255',
        '::1',
        'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      ]),
    );
    for (const d of ['no-multicast-peers', 'use-auth-secret', 'user-quota', 'total-quota', 'max-bps']) {
      expect(directives, d).toContain(d);
    }
  });
});

describe('the metrics alerts and dashboard query exist', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ config: createDevConfig(), host: '127.0.0.1', port: 0, stunPort: 0 });
  });
  afterAll(() => server?.close());

  it("every xp2p_* name in the alert rules and the Grafana dashboard is in the server's /metrics", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].map((m) => m[1]));
    expect(exported.has('xp2p_cameras_online')).toBe(true);
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/xp2p-dashboard.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      readFileSync(join(DEPLOY, 'prometheus/xp2p-alerts.yml'), 'utf8'),
    ];
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\bxp2p_[a-z0-9_]+/g)].map((m) => m[0])));
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((name) => !exported.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(missing).toEqual([]);
  });
});
