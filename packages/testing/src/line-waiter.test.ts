import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { watchLines } from './line-waiter.js';

/** A Node child printing `script`'s output (stdout and stderr piped). */
const node = (script: string) => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('watchLines', () => {
  it('finds a line printed before or after the call, on stdout or stderr', async () => {
    const child = node(
      `console.log('server: http://127.0.0.1:1234'); setTimeout(() => console.error('device: cam1 online'), 100)`,
    );
    const out = watchLines(child, 'test');
    expect((await out.waitForLine(/^device: (\S+) online/))[1]).toBe('cam1');
    expect((await out.waitForLine(/^server: (\S+)/))[1]).toBe('http://127.0.0.1:1234');
    expect(out.lines).toEqual(['server: http://127.0.0.1:1234', 'device: cam1 online']);
  });

  it('fails at once when the process ends without printing the line, with its last lines', async () => {
    const child = node(`console.log('starting'); setTimeout(() => process.exit(3), 50)`);
    const out = watchLines(child, 'dies');
    const started = performance.now();
    await expect(out.waitForLine(/^ready/, 10_000)).rejects.toThrow(
      /process exited before printing \/\^ready\/ \(dies\):\nstarting/,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    await expect(out.waitForLine(/^ready/)).rejects.toThrow(/process exited before printing/);
  });

  it('fails on its timeout while the process runs on', async () => {
    const child = node(`setTimeout(() => {}, 5_000)`);
    const out = watchLines(child, 'silent');
    await expect(out.waitForLine(/^ready/, 100)).rejects.toThrow(/timed out after 100 ms waiting for \/\^ready\//);
    child.kill();
  });
});
