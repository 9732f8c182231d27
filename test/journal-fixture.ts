// Journal entries for the journal tests: a consumer's Lookup, refused every fifth time.
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { type HeadWitness, kafkaHeadWitness } from '../hub/journal/head-witness.ts';
import type { JournalEntryInput } from '../hub/journal/journal-entry.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { testEndpoints } from './endpoints.ts';
import { prepareTopics, testKafka, uniqueName } from './harness.ts';

export function lookup(index: number, extra: Partial<JournalEntryInput> = {}): JournalEntryInput {
  return {
    act: 'exchange',
    action: 'Lookup',
    actor: { system: `CN=system-${index % 3}`, organisation: 'BHXH' },
    citizens: [`0010900${String(index).padStart(5, '0')}`],
    fields: ['fullName', 'dateOfBirth'],
    agreement: `agr-${index % 2}`,
    purpose: 'social-insurance',
    decision: index % 5 === 0 ? 'refused' : 'allowed',
    ...(index % 5 === 0 ? { reason: 'FIELD_NOT_GRANTED' } : {}),
    traceId: index.toString(16).padStart(32, '0'),
    ...extra,
  };
}

/**
 * The store and the outside witness for a journal test file: fresh databases (dropped after the
 * file) and the Kafka witness, usable once the file's beforeAll has run.
 */
export function journalTestWorld(prefix: string): { witness: HeadWitness; freshDb(): Db } {
  let client: MongoClient | undefined;
  let publisher: RecordPublisher | undefined;
  let real: HeadWitness | undefined;
  const databases: Db[] = [];
  beforeAll(async () => {
    client = new MongoClient(testEndpoints().mongodbUri);
    await client.connect();
    await prepareTopics();
    publisher = new RecordPublisher(testKafka());
    real = kafkaHeadWitness(testKafka(), publisher);
  });
  afterAll(async () => {
    for (const db of databases) await db.dropDatabase();
    await publisher?.close();
    await client?.close();
  });
  const ready = (): HeadWitness => {
    if (!real) throw new Error('the journal test world is used before its beforeAll ran');
    return real;
  };
  return {
    witness: {
      get where() {
        return ready().where;
      },
      publish: (journal, heads) => ready().publish(journal, heads),
      heads: (journal) => ready().heads(journal),
    },
    freshDb() {
      const db = client!.db(uniqueName(prefix));
      databases.push(db);
      return db;
    },
  };
}
