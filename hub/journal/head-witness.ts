// The journal's outside witness: every signed head is also published where an attacker who can
// write to the store alone cannot reach — a Kafka topic kept longer than the journal itself. A
// tail deleted from the store together with the heads that covered it still has its heads here,
// and `journal verify` compares the two.

import type { connectKafka } from '../../kafka/connect.ts';
import { readTopicToEnd } from '../../kafka/read-topic-to-end.ts';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import type { RawRecord } from '../../kafka/records.ts';
import { ensureTopics } from '../../kafka/topic-creation.ts';
import { JOURNAL_HEADS_TOPIC, topicLayout } from '../../kafka/topics.ts';
import type { SignedHead } from './signed-head.ts';

export interface HeadWitness {
  /** Where the heads go, for people. */
  readonly where: string;
  /** Resolves once the witness holds the heads. `journal` names the journal (its database). */
  publish(journal: string, heads: readonly SignedHead[]): Promise<void>;
  /** Every head of that journal the witness holds, in the order published. */
  heads(journal: string): Promise<SignedHead[]>;
}

/**
 * Heads as records of JOURNAL_HEADS_TOPIC: key = the journal's database (one topic serves every
 * journal of a Kafka cluster), value = the head as JSON. One partition keeps them in order.
 */
export function kafkaHeadWitness(kafka: ReturnType<typeof connectKafka>, publisher: RecordPublisher): HeadWitness {
  return {
    where: `Kafka topic ${JOURNAL_HEADS_TOPIC}`,
    async publish(journal, heads) {
      await publisher.publish(
        JOURNAL_HEADS_TOPIC,
        heads.map((head) => ({ key: journal, value: JSON.stringify(head) })),
      );
    },
    async heads(journal) {
      await ensureTopics(kafka, [topicLayout(JOURNAL_HEADS_TOPIC)]);
      const records = await readTopicToEnd(kafka, JOURNAL_HEADS_TOPIC);
      return records.filter((record) => record.key?.toString('utf8') === journal).map(parseHead);
    },
  };
}

function parseHead(record: RawRecord): SignedHead {
  const place = `${record.topic}[${record.partition}]@${record.offset}`;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(record.value?.toString('utf8') ?? '') as Record<string, unknown>;
  } catch {
    throw new Error(`the record at ${place} is not a signed head: its value is not JSON`);
  }
  const { _id, chain, number, entry, hash, at, previousHead, signedAt, signature } = value;
  // The shared chain's heads are numbered by `_id`; an instance's carry `number` (journal-chain.ts).
  const numbered = Number.isInteger(_id) ? number === undefined : typeof _id === 'string' && Number.isInteger(number);
  const numbers = numbered && Number.isInteger(entry);
  const texts = [chain, hash, at, previousHead, signedAt, signature].every((field) => typeof field === 'string');
  if (!numbers || !texts) throw new Error(`the record at ${place} is not a signed head: it lacks a field or has one of the wrong type`);
  return {
    _id: _id as number | string,
    chain: chain as string,
    ...(number === undefined ? {} : { number: number as number }),
    entry: entry as number,
    hash: hash as string,
    at: new Date(at as string),
    previousHead: previousHead as string,
    signedAt: new Date(signedAt as string),
    signature: signature as string,
  };
}
