/**
 * Typed events of one swarm peer, for whoever wants to follow what it does (tests, the viewer, the web
 * app's figures) without parsing log text: `peer.events.on('start-fetch', (e) => ...)` gets exactly the
 * `start-fetch` events, typed. As in mediasoup's enhancedEvents (safeEmit), a listener that throws is
 * reported and skipped: it never breaks the engine or the listeners after it.
 */
import type { SwarmEvent } from './types.js';

export type SwarmEventType = SwarmEvent['type'];
export type SwarmEventOf<K extends SwarmEventType> = Extract<SwarmEvent, { type: K }>;
type Listener<K extends SwarmEventType> = (event: SwarmEventOf<K>) => void;

export class SwarmEvents {
  private readonly listeners = new Map<SwarmEventType, Set<(event: SwarmEvent) => void>>();
  private readonly any = new Set<(event: SwarmEvent) => void>();

  /** Listen to one kind of event; returns the call that stops listening. */
  on<K extends SwarmEventType>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const wrapped = listener as (event: SwarmEvent) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Listen to every event; returns the call that stops listening. */
  onAny(listener: (event: SwarmEvent) => void): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  /** Hands the event to its listeners; one that throws is reported (console.error) and the rest still run. */
  emit(event: SwarmEvent): void {
    for (const listener of [...(this.listeners.get(event.type) ?? []), ...this.any]) {
      try {
        listener(event);
      } catch (err) {
        console.error(`swarm event listener for ${event.type} threw:`, err);
      }
    }
  }
}
