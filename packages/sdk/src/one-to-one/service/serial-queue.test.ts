import { describe, expect, it } from 'vitest';
import { abortable, SerialQueue } from './serial-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('SerialQueue', () => {
  it('runs operations one at a time, in call order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const op = (name: string, waits: number) => async () => {
      log.push(`${name} start`);
      for (let i = 0; i < waits; i++) await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      queue.run(op('a', 3), () => 'cancelled'),
      queue.run(op('b', 1), () => 'cancelled'),
      queue.run(op('c', 0), () => 'cancelled'),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(queue.size).toBe(0);
  });

  it('cancel interrupts the running operation at its await and answers the queued ones with their cancel value', async () => {
    const queue = new SerialQueue();
    let resumedAfterCancel = false;
    const never = new Promise<void>(() => {});
    const running = queue.run(
      async (signal) => {
        await abortable(never, signal);
        resumedAfterCancel = true;
        return 'done';
      },
      () => 'cancelled-1',
    );
    let secondStarted = false;
    const queued = queue.run(
      async () => {
        secondStarted = true;
        return 'done';
      },
      () => 'cancelled-2',
    );
    await tick();
    queue.cancel();
    expect(await running).toBe('cancelled-1');
    expect(await queued).toBe('cancelled-2');
    expect(resumedAfterCancel).toBe(false);
    expect(secondStarted).toBe(false);
    expect(
      await queue.run(
        async () => 'late',
        () => 'cancelled-3',
      ),
    ).toBe('cancelled-3');
  });

  it('an error other than an abort reaches the caller and the queue goes on', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(
      async () => Promise.reject(new Error('boom')),
      () => 'cancelled',
    );
    const next = queue.run(
      async () => 'next',
      () => 'cancelled',
    );
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});

describe('abortable', () => {
  it('hands a value that arrives after the abort to dispose instead of dropping it', async () => {
    const controller = new AbortController();
    let resolve!: (v: string) => void;
    const late = new Promise<string>((r) => (resolve = r));
    const disposed: string[] = [];
    const waiting = abortable(late, controller.signal, (v) => disposed.push(v));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    resolve('session');
    await tick();
    expect(disposed).toEqual(['session']);
  });
});
