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
