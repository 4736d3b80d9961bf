import { describe, expect, it } from 'vitest';
import { sampleProcess } from './process-usage.js';

describe('sampleProcess', () => {
  it('reads this process: its RSS and CPU time are what Node reports of itself', () => {
    const before = sampleProcess(process.pid);
    const cpuBefore = process.cpuUsage();
    const rss = process.memoryUsage().rss;
    expect(before.rssBytes).toBeGreaterThan(rss * 0.8);
    expect(before.rssBytes).toBeLessThan(rss * 1.25);
    // burn 0.3 s of CPU (however long that takes on a busy machine)
    let x = 0;
    const used = () => (process.cpuUsage(cpuBefore).user + process.cpuUsage(cpuBefore).system) / 1e6;
    while (used() < 0.3) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const measured = sampleProcess(process.pid).cpuSeconds - before.cpuSeconds;
    expect(measured).toBeGreaterThan(used() - 0.05); // /proc counts in clock ticks (10 ms)
    expect(measured).toBeLessThan(used() + 0.05);
  });
});
