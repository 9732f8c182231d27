// The whole simulated population as canonical events, all four sources, valid ones only:
// what tests and the ingest benchmark feed the hub without going through connectors.

import type { SourceEvent } from '../../schemas/source-event.ts';
import { SOURCES, type SourceName } from '../../schemas/sources.ts';
import { validateParsedEvent } from '../../schemas/validate-event.ts';
import { MappingError } from '../sdk/mapping-error.ts';
import { SOURCE_DEFINITIONS } from '../sources.ts';
import { populationFor, type SimulationOptions, simulateSourceRecords } from './simulate-source.ts';

export interface SimulateEventsOptions extends SimulationOptions {
  /** Which sources to include (default: all four), concatenated in this order. */
  sources?: readonly SourceName[];
}

export function simulateEvents(options: SimulateEventsOptions): SourceEvent[] {
  const population = populationFor(options);
  // Faultless records map to valid events by construction; with bad records, check each one.
  const mustCheck = (options.badShare ?? 0) > 0;
  const events: SourceEvent[] = [];
  for (const source of options.sources ?? SOURCES) {
    const { toEvent } = SOURCE_DEFINITIONS[source];
    for (const record of simulateSourceRecords(source, options, population)) {
      let event: SourceEvent;
      try {
        event = toEvent(record);
      } catch (error) {
        if (error instanceof MappingError) continue;
        throw error;
      }
      if (mustCheck && !validateParsedEvent(event, { topicSource: source }).ok) continue;
      events.push(event);
    }
  }
  return events;
}

/**
 * The first `count` events of a population just large enough to yield them (each citizen yields
 * several), and how many citizens that took: what the ingest benchmarks feed the hub.
 */
export function simulateFirstEvents(count: number, seed: number): { events: SourceEvent[]; citizens: number } {
  let citizens = Math.max(10, Math.ceil(count / 6));
  let events = simulateEvents({ seed, citizens });
  while (events.length < count) {
    citizens = Math.ceil(citizens * 1.3);
    events = simulateEvents({ seed, citizens });
  }
  return { events: events.slice(0, count), citizens };
}
