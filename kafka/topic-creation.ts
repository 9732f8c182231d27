// The hub creates every topic it uses on start, replicated as the cluster allows.
import type { Kafka } from 'kafkajs';
import { replicationFor } from './topics.ts';
import { untilAnswering } from './until-answering.ts';

export interface TopicSpec {
  topic: string;
  partitions: number;
  config?: Record<string, string>;
}

/**
 * Creates missing topics, replicated as the cluster's size allows (`replicationFor`: three copies and
 * min.insync.replicas 2 on three brokers or more); existing ones are left alone (so this is safe on every start).
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    const { brokers } = await admin.describeCluster();
    const { replicationFactor, minInsyncReplicas } = replicationFor(brokers.length);
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: Object.entries({ 'min.insync.replicas': String(minInsyncReplicas), ...spec.config }).map(([name, value]) => ({
            name,
            value,
          })),
        })),
      })
      .catch((error: unknown) => {
        throw (
          refusedCreation(
            error,
            missing.map((spec) => spec.topic),
          ) ?? error
        );
      });
    // A new topic's leaders can be elected before every broker (and kafkajs's metadata) knows
    // them: the first ListOffsets then fails with "not the leader". Wait until each answers.
    for (const spec of missing) await untilAnswering(() => admin.fetchTopicOffsets(spec.topic), `topic ${spec.topic}`);
  } finally {
    await admin.disconnect();
  }
}

/**
 * On the TLS listener a topic this principal may not see looks missing, and creating it is refused
 * (a source may write its own topic only, and create none): say that, not "Topic creation errors".
 */
function refusedCreation(error: unknown, topics: string[]): Error | undefined {
  const inner = (error as { errors?: Array<{ type?: string }> }).errors ?? [];
  if (!inner.some((each) => each.type === 'TOPIC_AUTHORIZATION_FAILED' || each.type === 'CLUSTER_AUTHORIZATION_FAILED')) return undefined;
  return new Error(
    `Kafka refused this client access to ${topics.join(', ')} (TOPIC_AUTHORIZATION_FAILED): its certificate's principal may not ` +
      'use or create them. A source may write only its own topic, which the hub creates when it starts: check that the ' +
      'certificate (KAFKA_TLS_CERT) is the one issued for this source, and that the hub has run once.',
    { cause: error },
  );
}
