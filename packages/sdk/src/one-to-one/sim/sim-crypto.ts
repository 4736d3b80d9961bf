/**
 * WebCrypto in virtual time: the relay-first start seals and opens its frames with WebCrypto (the real
 * code, on both ends of the simulator), whose promises settle on a thread pool. Every SubtleCrypto call is
 * handed to the world's VirtualTime (`track`), which lets none pend while time moves on: crypto takes no
 * virtual time, and a run stays deterministic. One patch per process; the last world created is the one
 * that tracks (simulator tests run their worlds one after another).
 */
import type { VirtualTime } from './virtual-time.js';

const CALLS = ['generateKey', 'exportKey', 'importKey', 'deriveBits', 'deriveKey', 'encrypt', 'decrypt', 'sign'];
let tracking: VirtualTime | undefined;
let patched = false;

export function trackWebCrypto(clock: VirtualTime): void {
  tracking = clock;
  if (patched) return;
  patched = true;
  const subtle = globalThis.crypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of CALLS) {
    const original = subtle[name]!.bind(subtle);
    Object.defineProperty(subtle, name, {
      configurable: true,
      value: (...args: unknown[]) => {
        const work = original(...args);
        return tracking ? tracking.track(work) : work;
      },
    });
  }
}
