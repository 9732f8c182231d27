// A sectoral register's feed for a simulated population: its native records in registration
// order, with the configured share of duplicates, reorderings and bad records.
import type { SourceName } from '../../schemas/sources.ts';
import type { FaultShares } from './faults.ts';
import { injectFaults } from './faults.ts';
import { nativeRecordsOf } from './native-records.ts';
import { type Population, type PopulationOptions, simulatePopulation } from './population.ts';
import { Random } from './random.ts';

export type SimulationOptions = PopulationOptions & FaultShares;

let lastBuilt: { key: string; population: Population } | undefined;

/** The population for these options; the last one is kept, as the four sources share it. */
export function populationFor(options: PopulationOptions): Population {
  const key = `${options.seed}|${options.citizens}|${options.startYear ?? ''}`;
  if (lastBuilt?.key !== key) lastBuilt = { key, population: simulatePopulation(options) };
  return lastBuilt.population;
}

/** The source's native records, faults included; same options → same records, same order. */
export function simulateSourceRecords(
  source: SourceName,
  options: SimulationOptions,
  population = populationFor(options),
): Record<string, string>[] {
  const random = new Random(`${source}:${options.seed}`);
  return injectFaults(source, nativeRecordsOf(source, population, random.fork('records')), random.fork('faults'), options);
}

export function* simulateSource(source: SourceName, options: SimulationOptions): Generator<Record<string, string>> {
  yield* simulateSourceRecords(source, options);
}
