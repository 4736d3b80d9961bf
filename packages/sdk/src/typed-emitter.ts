/**
 * Typed events (mediasoup's enhancedEvents pattern): an event map of tuples, and an emit that never lets a
 * listener's exception reach the emitter, so an app's broken listener cannot break a session.
 */
export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<unknown>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Calls every listener of `event`; one that throws is reported and the rest still run. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as (...a: E[K]) => void)(...args);
      } catch (err) {
        console.error(`[xp2p] ${String(event)} listener threw:`, err);
      }
    }
  }

  /** How many listeners are subscribed (leak checks). */
  get listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
