/**
 * The NAT lab: a small internet in Linux network namespaces, built by the test itself.
 *
 *   <prefix>-pub   the "public" network: bridge br0 with 203.0.113.1 and 203.0.113.2 (server, STUN, coturn)
 *   <prefix>-rN    a router: wan0 203.0.113.(10+N) on the bridge, lan0 10.N.0.1/24, nft NAT of one type
 *   <prefix>-hN    a host behind router N: eth0 10.N.0.2/24 (a viewer or a camera runs here)
 *
 * The topology itself is scripts/nat-lab/lab.sh (nft recipes there). Every namespace name starts with a
 * prefix unique to this run (xnl-<pid>-<random>); `close()` ends every process the lab started (by pid) and
 * deletes the namespaces, and a process 'exit' hook does the same if a test run dies half-way. Namespaces
 * left by an earlier run that was killed outright are swept (`lab.sh gc`) before a new lab is built.
 *
 * Delay (`setDelay`): this kernel has no netem, so a router queues what it forwards to NFQUEUE and
 * delay/nfq-delay.c (compiled here with gcc on first use, into a temp dir removed with the lab) holds each
 * packet for a fixed time in that router's namespace. See lab.sh `delay` for the rule and why iptables-nft.
 *
 * Needs root and `ip netns`: without them `createNatLab` throws NatLabUnavailableError, so the suite fails
 * loudly instead of passing without testing anything.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { watchLines, type ProcessLines } from '@xp2p/testing';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../scripts/nat-lab/', import.meta.url));
const LAB_SH = `${SCRIPTS}lab.sh`;
const SETUP_SH = `${SCRIPTS}setup.sh`;
const NFQ_DELAY_C = fileURLToPath(new URL('./delay/nfq-delay.c', import.meta.url));

/** fc: full cone; ar: address-restricted cone; pr: port-restricted cone; sym: symmetric */
export type NatType = 'fc' | 'ar' | 'pr' | 'sym';
export const NAT_TYPES: readonly NatType[] = ['fc', 'ar', 'pr', 'sym'];
export const NAT_NAMES: Record<NatType, string> = {
  fc: 'full cone',
  ar: 'address-restricted',
  pr: 'port-restricted',
  sym: 'symmetric',
};

export const PUBLIC_IP = '203.0.113.1';
/** A second address of the public namespace (RFC 5780 "other address" for a NAT behaviour probe). */
export const PUBLIC_IP_2 = '203.0.113.2';

export interface LabHost {
  /** 1-based, as in lab.sh */
  index: number;
  type: NatType;
  /** the host's namespace */
  ns: string;
  /** its router's namespace */
  router: string;
  /** the host's private address (bind ICE here) */
  ip: string;
  /** its router's public address */
  publicIp: string;
}

export class NatLabUnavailableError extends Error {
  override name = 'NatLabUnavailableError';
}

export interface NsProcess extends ProcessLines {
  pid: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

/** The JSON lines a lab process printed so far (other lines skipped). */
export const jsonLines = (p: NsProcess): Record<string, unknown>[] =>
  p.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

export interface NatLab {
  prefix: string;
  /** the public namespace */
  pub: string;
  hosts: LabHost[];
  /** Starts `node args...` (or `command args` with { command }) inside namespace `ns`. */
  start(ns: string, args: string[], options?: { command?: string; env?: Record<string, string> }): NsProcess;
  /** Runs a command to completion inside namespace `ns`; resolves its stdout. */
  exec(ns: string, command: string, args: string[]): Promise<string>;
  /** The host's router gets a new public address and forgets every mapping (conntrack flushed). */
  renat(host: LabHost, publicIp: string): Promise<void>;
  /** The host's router drops `percent` % of what it forwards, both ways (0: none). */
  setLoss(host: LabHost, percent: number): Promise<void>;
  /**
   * The host's router drops, both ways, all UDP ('udp') and TCP to or from the given ports ('tcp:PORT'),
   * as a firewall that lets only some TCP through; no spec: drops nothing.
   */
  block(host: LabHost, ...specs: ('udp' | `tcp:${number}`)[]): Promise<void>;
  /** Caps what the host sends out through its router at `kbit` kbit/s (0: no cap). */
  setUplinkRate(host: LabHost, kbit: number): Promise<void>;
  /**
   * The host's router holds every packet it forwards, both ways, for `ms` (0: no delay), so a path through
   * it gets 2 × ms more round-trip time. `scope` 'udp' (default) delays only UDP: what the peers exchange
   * (media, STUN, TURN), not the TCP signalling; 'all' delays every packet. Resolves once the delay is in
   * place; when a delay is replaced or removed, resolves with the summary line of the program that ended
   * ("nfq-delay: stopped, N packets delayed, at most M held, K netlink overruns").
   */
  setDelay(host: LabHost, ms: number, scope?: 'udp' | 'all'): Promise<string | undefined>;
  /**
   * Every namespace of the lab resolves `name` to `ip` (a hosts file: `ip netns exec` mounts
   * /etc/netns/<ns>/hosts over /etc/hosts for the processes it starts from then on).
   */
  addHostName(name: string, ip: string): void;
  close(): Promise<void>;
}

/** Fails with a message that says what is missing, so CI shows why the NAT suite did not run. */
async function preflight(): Promise<void> {
  const why = (text: string) =>
    new NatLabUnavailableError(
      `NAT lab unavailable: ${text}. The NAT suite needs root and Linux network namespaces (ip netns, veth, ` +
        `bridge, nftables); it does not skip, because a silent pass would claim NAT traversal works untested.`,
    );
  if (process.platform !== 'linux') throw why(`not Linux (${process.platform})`);
  if (process.getuid?.() !== 0) throw why(`not running as root (uid ${process.getuid?.()})`);
  try {
    await run('bash', [SETUP_SH], { timeout: 600_000 });
  } catch (err) {
    throw why(`installing iproute2/nftables/coturn failed: ${String((err as { stderr?: string }).stderr ?? err)}`);
  }
  try {
    await run('ip', ['netns', 'list']);
  } catch (err) {
    throw why(`'ip netns' does not work: ${String(err)}`);
  }
}

/** nfq-delay builds live in <tmp>/xp2p-nfq-delay-<pid>-XXXXXX, removed with their lab. */
const NFQ_BUILD_PREFIX = 'xp2p-nfq-delay-';

/** Removes the nfq-delay builds of earlier runs whose process is gone (killed outright: no exit hook ran). */
function sweepNfqDelayBuilds(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(NFQ_BUILD_PREFIX)) continue;
    const pid = Number(name.slice(NFQ_BUILD_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

const allLabs = new Set<{ sync(): void }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const lab of allLabs) lab.sync();
  });
}

/** Builds the lab: one router + host pair per entry of `types`, in that order (host N = types[N-1]). */
export async function createNatLab(types: NatType[]): Promise<NatLab> {
  await preflight();
  // sweep namespaces of earlier runs whose process is gone (killed with SIGKILL, no exit hook ran)
  await run('bash', [LAB_SH, 'gc']).catch(() => {});
  sweepNfqDelayBuilds();
  const prefix = `xnl-${process.pid}-${randomBytes(2).toString('hex')}`;
  const running = new Set<NsProcess>();
  /** nfq-delay per router index */
  const delayers = new Map<number, NsProcess>();
  let buildDir: string | undefined;
  let nfqDelay: Promise<string> | undefined;
  let closed = false;

  const syncCleanup = {
    sync() {
      for (const p of running) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      try {
        execFileSync('bash', [LAB_SH, 'down', prefix], { stdio: 'ignore' });
      } catch {
        /* best effort at exit */
      }
      if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    },
  };
  allLabs.add(syncCleanup);
  installExitHook();

  try {
    await run('bash', [LAB_SH, 'up', prefix, ...types]);
  } catch (err) {
    allLabs.delete(syncCleanup);
    const stderr = String((err as { stderr?: string }).stderr ?? err);
    throw new NatLabUnavailableError(`NAT lab: building the namespaces failed: ${stderr}`);
  }

  const hosts: LabHost[] = types.map((type, i) => ({
    index: i + 1,
    type,
    ns: `${prefix}-h${i + 1}`,
    router: `${prefix}-r${i + 1}`,
    ip: `10.${i + 1}.0.2`,
    publicIp: `203.0.113.${11 + i}`,
  }));

  const start: NatLab['start'] = (ns, args, options = {}) => {
    const command = options.command ?? process.execPath;
    // `ip netns exec` execs the command in place, so the pid is the command's own pid
    const proc = spawn('ip', ['netns', 'exec', ns, command, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { lines, waitForLine } = watchLines(proc, `${ns}: ${args.join(' ')}`);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const p: NsProcess = {
      pid: proc.pid ?? -1,
      proc,
      lines,
      exited,
      waitForLine,
      async kill() {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        running.delete(p);
      },
    };
    running.add(p);
    void exited.then(() => running.delete(p));
    return p;
  };

  /** Compiles nfq-delay once per lab (never a committed binary): a missing compiler or header says so. */
  const buildNfqDelay = (): Promise<string> =>
    (nfqDelay ??= (async () => {
      buildDir = mkdtempSync(join(tmpdir(), `${NFQ_BUILD_PREFIX}${process.pid}-`));
      const bin = join(buildDir, 'nfq-delay');
      try {
        await run('gcc', [
          '-O2',
          '-Wall',
          '-Wextra',
          '-Werror',
          '-o',
          bin,
          NFQ_DELAY_C,
          '-lnetfilter_queue',
          '-lnfnetlink',
        ]);
      } catch (err) {
        throw new Error(
          `NAT lab: compiling nfq-delay.c failed: ${String((err as { stderr?: string }).stderr ?? err)}`,
          {
            cause: err,
          },
        );
      }
      return bin;
    })());

  const setDelay: NatLab['setDelay'] = async (host, ms, scope = 'udp') => {
    const n = String(host.index);
    // the rule goes first and the program after it: a queue rule with no listener would drop packets
    await run('bash', [LAB_SH, 'delay', prefix, n, 'off']);
    let summary: string | undefined;
    const old = delayers.get(host.index);
    if (old) {
      delayers.delete(host.index);
      await old.kill();
      summary = old.lines.find((l) => l.startsWith('nfq-delay: stopped'));
      if (old.proc.exitCode !== 0) throw new Error(`nfq-delay in ${host.router} ended badly:\n${old.lines.join('\n')}`);
    }
    if (ms <= 0) return summary;
    const program = start(host.router, [n, String(Math.round(ms))], { command: await buildNfqDelay() });
    try {
      await program.waitForLine(/^nfq-delay: ready/, 5_000);
    } catch (err) {
      await program.kill();
      throw err;
    }
    delayers.set(host.index, program);
    await run('bash', [LAB_SH, 'delay', prefix, n, 'on', scope]);
    return summary;
  };

  const namespaces = [`${prefix}-pub`, ...hosts.flatMap((h) => [h.router, h.ns])];
  const addHostName: NatLab['addHostName'] = (name, ip) => {
    for (const ns of namespaces) {
      const dir = `/etc/netns/${ns}`;
      const file = `${dir}/hosts`;
      if (!existsSync(file)) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, '127.0.0.1 localhost\n');
      }
      appendFileSync(file, `${ip} ${name}\n`);
    }
  };

  return {
    prefix,
    pub: `${prefix}-pub`,
    hosts,
    start,
    addHostName,
    async exec(ns, command, args) {
      const { stdout } = await run('ip', ['netns', 'exec', ns, command, ...args]);
      return stdout;
    },
    async renat(host, publicIp) {
      await run('bash', [LAB_SH, 'renat', prefix, String(host.index), publicIp]);
      host.publicIp = publicIp;
    },
    async setLoss(host, percent) {
      await run('bash', [LAB_SH, 'loss', prefix, String(host.index), String(Math.round(percent))]);
    },
    async block(host, ...specs) {
      await run('bash', [LAB_SH, 'block', prefix, String(host.index), ...specs]);
    },
    async setUplinkRate(host, kbit) {
      await run('bash', [LAB_SH, 'rate', prefix, String(host.index), String(Math.round(kbit))]);
    },
    setDelay,
    async close() {
      if (closed) return;
      closed = true;
      // nfq-delay programs are in `running` too: ended by pid here, and `down` kills what is left in the
      // namespaces (the exit hook does both if the test process dies first)
      await Promise.all([...running].map((p) => p.kill()));
      await run('bash', [LAB_SH, 'down', prefix]);
      if (buildDir) rmSync(buildDir, { recursive: true, force: true });
      allLabs.delete(syncCleanup);
      const left = (await run('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(`${prefix}-`));
      if (left.length > 0) throw new Error(`NAT lab: namespaces left behind: ${left.join(', ')}`);
    },
  };
}
