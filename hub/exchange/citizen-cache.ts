// Citizen documents kept in the hub's memory for the exchange, so a Lookup of a citizen read
// recently makes no store command. Invalidated from dancu.changes.v1: ingest publishes a
// citizen's changes after writing the citizen, so dropping the entry when its change arrives
// means the next read sees the write (within a second, tested). Until the change feed's consumer
// has joined its group, and after it fails, every read goes to the store. A read that was in
// flight while any change arrived is not kept (it may predate the write). Bounded: at most
// `maxCitizens` entries (least recently used out) and each for at most `ttlMs`, which also bounds
// a change to provenance alone that publishes no change.
import type { Kafka } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import { type TopicTail, tailTopic } from '../../kafka/topic-tail.ts';
import { CHANGES_TOPIC } from '../../kafka/topics.ts';
import type { CitizenDocument } from '../citizen/citizen-document.ts';
import type { PopulationStore } from '../store/population-store.ts';

/** What the exchange reads of the store: citizens by personal id. */
export type CitizenReader = Pick<PopulationStore, 'readCitizen' | 'readCitizens'>;

export interface CitizenCacheOptions {
  /** Entries kept at most (default 20,000; 0: no cache, every read goes to the store). */
  maxCitizens?: number;
  ttlMs?: number;
}

export class CitizenCache implements CitizenReader {
  private readonly cache: LRUCache<string, { document: CitizenDocument | null }> | undefined;
  /** Whether changes are being followed: only then is anything kept. */
  private live = false;
  /** Moves at every change and whenever following stops: a read that saw it move is not kept. */
  private generation = 0;
  private tail: TopicTail | undefined;
  private following: Promise<TopicTail> | undefined;
  private stopped = false;

  constructor(
    private readonly store: CitizenReader,
    options: CitizenCacheOptions = {},
  ) {
    const max = options.maxCitizens ?? 20_000;
    this.cache = max > 0 ? new LRUCache({ max, ttl: options.ttlMs ?? 60_000 }) : undefined;
  }

  /** Follows dancu.changes.v1 from now on; serves from memory once its consumer has joined. */
  async follow(kafka: Kafka, log: (line: string) => void): Promise<void> {
    if (!this.cache || this.stopped) return;
    this.following = tailTopic(kafka, CHANGES_TOPIC, null, async (record) => this.invalidate(personalIdOf(record.value)), 'citizen-cache');
    this.tail = await this.following;
    if (this.stopped) return; // stop() stops the tail just made
    this.tail.done
      .catch((error: unknown) => log(`citizen cache: the change feed stopped (${String(error)}); every read goes to the store`))
      .finally(() => this.stopServing());
    await this.tail.joined;
    this.live = !this.stopped;
  }

  /** Whether reads may be served from memory now. */
  get serving(): boolean {
    return this.live;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopServing();
    const tail = await this.following?.catch(() => undefined);
    await tail?.stop();
  }

  async readCitizen(id: string): Promise<CitizenDocument | null> {
    const hit = this.live ? this.cache?.get(id) : undefined;
    if (hit) return hit.document;
    const generation = this.generation;
    const document = await this.store.readCitizen(id);
    this.keep(generation, [[id, document]]);
    return document;
  }

  async readCitizens(ids: readonly string[]): Promise<Map<string, CitizenDocument>> {
    const found = new Map<string, CitizenDocument>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.live ? this.cache?.get(id) : undefined;
      if (!hit) missing.push(id);
      else if (hit.document) found.set(id, hit.document);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const read = await this.store.readCitizens(missing);
    this.keep(
      generation,
      missing.map((id) => [id, read.get(id) ?? null]),
    );
    for (const [id, document] of read) found.set(id, document);
    return found;
  }

  private keep(generation: number, documents: [string, CitizenDocument | null][]): void {
    if (!this.live || generation !== this.generation) return;
    for (const [id, document] of documents) this.cache?.set(id, { document });
  }

  private invalidate(personalId: string | null): void {
    this.generation += 1;
    if (personalId) this.cache?.delete(personalId);
    else this.cache?.clear(); // a change we cannot read might be anyone's
  }

  private stopServing(): void {
    this.live = false;
    this.generation += 1;
    this.cache?.clear();
  }
}

function personalIdOf(value: Buffer | null): string | null {
  try {
    const change = JSON.parse(value?.toString('utf8') ?? 'null') as { personalId?: unknown } | null;
    return typeof change?.personalId === 'string' ? change.personalId : null;
  } catch {
    return null;
  }
}
