import type { z } from 'zod';
import { events, type EventName, type EventOf, type Events } from '../api/contract';

/** Receives every event; transports forward them to their clients unchanged. */
export type EventSink = (name: EventName, payload: unknown) => void;

/**
 * The services' one event stream. Payloads are validated against the contract when emitted, so a service bug
 * shows up where it happens instead of as a malformed message in some client.
 */
export class EventBus {
  private readonly sinks = new Set<EventSink>();

  emit<E extends EventName>(name: E, payload: z.input<Events[E]>): EventOf<E> {
    const parsed = events[name].parse(payload) as EventOf<E>;
    for (const sink of [...this.sinks]) {
      try {
        sink(name, parsed);
      } catch (err) {
        // A transport that fails to deliver (a closed socket, a destroyed window) must not break the emitter.
        console.error(`terrafuse: event sink failed on ${name}:`, err);
      }
    }
    return parsed;
  }

  /** Returns the unsubscribe function. */
  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => {
      this.sinks.delete(sink);
    };
  }

  /** A typed listener for one event (services listening to each other, e.g. settings.changed). */
  on<E extends EventName>(name: E, listener: (payload: EventOf<E>) => void): () => void {
    return this.subscribe((n, payload) => {
      if (n === name) listener(payload as EventOf<E>);
    });
  }
}
