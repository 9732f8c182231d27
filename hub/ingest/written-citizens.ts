// The citizen documents an ingest process wrote last, so the next batch for the same citizens
// need not read them back. Partition ownership makes this process the usual only writer of
// its citizens; when it is not, the compare-and-set on the revision catches it (see applyEvents).
import { LRUCache } from 'lru-cache';
import type { CitizenDocument } from '../citizen/citizen-document.ts';

/**
 * About 8 KiB a document: some 40 MiB at most. Reads of the others run beside the history append,
 * off the write's critical path (BENCHMARKS.md), so a larger cache buys little and costs the
 * backfill its memory bound.
 */
const MAX_DOCUMENTS = 5_000;

export class WrittenCitizens {
  private readonly documents = new LRUCache<string, CitizenDocument>({ max: MAX_DOCUMENTS });

  get(id: string): CitizenDocument | undefined {
    return this.documents.get(id);
  }

  set(id: string, document: CitizenDocument): void {
    this.documents.set(id, document);
  }

  delete(id: string): void {
    this.documents.delete(id);
  }

  clear(): void {
    this.documents.clear();
  }
}
