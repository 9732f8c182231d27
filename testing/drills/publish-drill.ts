// The publish drill: one of three brokers SIGKILLed while a publisher sends to every partition of
// a topic. Every record Kafka acknowledged must then be in the topic. kafkajs alone (its producer,
// without RecordPublisher's check) is measured beside it as the baseline: it resolved sends whose
// records of one partition it never sent (kafka/record-publisher.ts says why).
import type { Kafka } from 'kafkajs';
import { connectKafka } from '../../kafka/connect.ts';
import { readTopicToEnd } from '../../kafka/read-topic-to-end.ts';
import { RecordPublisher } from '../../kafka/record-publisher.ts';
import { ensureTopics } from '../../kafka/topic-creation.ts';
import { PrivateKafka } from '../private-kafka.ts';
import type { DrillResult } from './drill-result.ts';
import type { DrillSettings } from './ingest-drills.ts';

/** Sends of 60 records go on this long; the broker dies after KILL_AFTER_MS, and is fenced some 9 s later. */
const SEND_FOR_MS = 20_000;
const KILL_AFTER_MS = 3_000;
const PARTITIONS = 6;

export interface PublishOutcome {
  acknowledged: number;
  /** Acknowledged, yet not in the topic afterwards. */
  missing: number;
  /** Sends that failed (their records are not counted as acknowledged; a publisher sends them again). */
  failedSends: number;
}

/**
 * SIGKILL one of three brokers while `publisher` sends (a private three-node cluster, a topic of six
 * partitions with three replicas and min.insync.replicas 2), then count what Kafka acknowledged
 * against what the topic holds.
 */
export async function publishThroughBrokerKill(
  settings: Pick<DrillSettings, 'log'>,
  publisherOf: (kafka: Kafka) => {
    send(topic: string, records: Array<{ key: string; value: string }>): Promise<void>;
    close(): Promise<void>;
  },
): Promise<PublishOutcome> {
  const cluster = await PrivateKafka.start({ log: settings.log, size: 3 });
  try {
    const kafka = connectKafka({ brokers: cluster.brokers, clientId: 'dancu-drill' });
    const topic = 'dancu.drill.publish';
    await ensureTopics(kafka, [{ topic, partitions: PARTITIONS }]);
    const publisher = publisherOf(kafka);
    const acknowledged = new Set<string>();
    let failedSends = 0;
    let next = 0;
    const started = Date.now();
    let killed = false;
    try {
      while (Date.now() - started < SEND_FOR_MS) {
        if (!killed && Date.now() - started >= KILL_AFTER_MS) {
          cluster.kill(2);
          killed = true;
        }
        const records = Array.from({ length: 60 }, () => {
          next += 1;
          return { key: `citizen-${next}`, value: `record-${next}` };
        });
        try {
          await publisher.send(topic, records);
          for (const record of records) acknowledged.add(record.value);
        } catch {
          failedSends += 1;
        }
      }
    } finally {
      await publisher.close();
    }
    const held = new Set((await readTopicToEnd(kafka, topic)).map((record) => record.value?.toString()));
    const missing = [...acknowledged].filter((value) => !held.has(value)).length;
    return { acknowledged: acknowledged.size, missing, failedSends };
  } finally {
    await cluster.stop();
  }
}

/** dancu's RecordPublisher through a broker's death. */
export function recordPublisherThroughBrokerKill(settings: Pick<DrillSettings, 'log'>): Promise<PublishOutcome> {
  return publishThroughBrokerKill(settings, (kafka) => {
    const publisher = new RecordPublisher(kafka);
    return { send: (topic, records) => publisher.publish(topic, records), close: () => publisher.close() };
  });
}

/** The drill table's row: RecordPublisher, with kafkajs's own producer (same settings) as the baseline in its note. */
export async function publishBrokerSigkill(settings: DrillSettings): Promise<DrillResult> {
  const ours = await recordPublisherThroughBrokerKill(settings);
  const raw = await publishThroughBrokerKill(settings, (kafka) => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    let connected: Promise<void> | undefined;
    return {
      async send(topic, records) {
        connected ??= producer.connect();
        await connected;
        await producer.send({ topic, acks: -1, messages: records });
      },
      close: () => producer.disconnect(),
    };
  });
  return {
    drill: 'SIGKILL one of three brokers while publishing',
    sent: ours.acknowledged,
    applied: ours.acknowledged - ours.missing,
    lost: ours.missing,
    duplicated: 0,
    recoverSeconds: undefined,
    note:
      `records acknowledged by Kafka, then read back from the topic; ${ours.failedSends} sends failed and were not counted. ` +
      `Baseline, kafkajs's producer alone: ${raw.acknowledged} acknowledged, ${raw.missing} of them missing from the topic`,
  };
}
