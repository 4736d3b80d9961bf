/** Calls an app's callback; one that throws is the app's bug, reported without tearing down the session. */
export function safeCall<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  if (!fn) return;
  try {
    fn(...args);
  } catch (err) {
    console.error('[xp2p] callback threw:', err);
  }
}
