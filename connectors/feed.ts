// Where a source connector's native records come from: a JSONL/CSV file or the simulator.
import type { SourceName } from '../schemas/sources.ts';
import { readNativeFile } from './sdk/native-file.ts';
import type { NativeItem } from './sdk/source-connector.ts';
import { type SimulationOptions, simulateSource } from './simulator/simulate-source.ts';

export function fileFeed(path: string): AsyncIterable<NativeItem> {
  return readNativeFile(path);
}

/** The simulated population's records for one source; positions count from 1 in stream order. */
export function* simulatedFeed(source: SourceName, options: SimulationOptions): Generator<NativeItem> {
  let position = 0;
  for (const record of simulateSource(source, options)) {
    position += 1;
    yield { position, record };
  }
}
