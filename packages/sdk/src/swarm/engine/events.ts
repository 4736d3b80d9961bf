/**
 * Typed events of one swarm peer, for whoever wants to follow what it does (tests, the viewer, the web
 * app's figures) without parsing log text: `peer.events.on('start-fetch', (e) => ...)` gets exactly the
 * `start-fetch` events, typed. As in mediasoup's enhancedEvents (safeEmit), a listener that throws is
 * reported and skipped: it never breaks the engine or the listeners after it (the sdk's one TypedEmitter).
 */
import { TypedEmitter } from '../../typed-emitter.js';
import type { SwarmEvent } from './types.js';

export type SwarmEventType = SwarmEvent['type'];
export type SwarmEventOf<K extends SwarmEventType> = Extract<SwarmEvent, { type: K }>;
/** each event under its type, and every event under '*' (onAny) */
type SwarmEventMap = { [K in SwarmEventType]: [SwarmEventOf<K>] } & { '*': [SwarmEvent] };

export class SwarmEvents {
  private readonly emitter = new TypedEmitter<SwarmEventMap>();

  /** Listen to one kind of event; returns the call that stops listening. */
  on<K extends SwarmEventType>(type: K, listener: (event: SwarmEventOf<K>) => void): () => void {
    return this.emitter.on(type, listener as never);
  }

  /** Listen to every event; returns the call that stops listening. */
  onAny(listener: (event: SwarmEvent) => void): () => void {
    return this.emitter.on('*', listener);
  }

  /** Hands the event to its listeners, then to every-event ones; one that throws is reported, the rest run. */
  emit(event: SwarmEvent): void {
    this.emitter.emit(event.type, ...([event] as SwarmEventMap[typeof event.type]));
    this.emitter.emit('*', event);
  }
}
