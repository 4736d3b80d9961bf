import { describe, expect, it } from 'vitest';
import { waitUntil, WaitTimeoutError } from './wait-until.js';

describe('waitUntil', () => {
  it('resolves with the first truthy value, sync or async', async () => {
    let calls = 0;
    expect(await waitUntil(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 })).toEqual({ calls: 3 });
    expect(await waitUntil(async () => 'ready')).toBe('ready');
  });

  it('fails after the timeout, naming what it waited for and the state then', async () => {
    let state = 'starting';
    const started = performance.now();
    const waiting = waitUntil(() => false, { timeoutMs: 100, intervalMs: 10, what: () => `ready (state ${state})` });
    state = 'stuck';
    await expect(waiting).rejects.toThrow(WaitTimeoutError);
    await expect(waiting).rejects.toThrow('timed out after 100 ms waiting for ready (state stuck)');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('ends the wait with the exception the condition throws', async () => {
    await expect(
      waitUntil(() => {
        throw new Error('camera exited');
      }),
    ).rejects.toThrow('camera exited');
  });
});
