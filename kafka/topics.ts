// The public Kafka contract of dancu. A sectoral system that does not run our connector
// produces to the same topics with the same key, value and headers (see README, "Ingest contract").
import { isSourceName, SOURCES, type SourceName } from '../schemas/sources.ts';

/** `dancu.source.<source>.v1`: key = personal id, value = the event as UTF-8 JSON. */
export function sourceTopic(source: SourceName): string {
  return `dancu.source.${source}.v1`;
}

export const SOURCE_TOPIC_PATTERN = /^dancu\.source\.([a-z-]+)\.v1$/;

/** Rejected records, with the original bytes and a machine-readable reason. */
export const DLQ_TOPIC = 'dancu.dlq.v1';
/** Every accepted change to a citizen record, key = personal id. */
export const CHANGES_TOPIC = 'dancu.changes.v1';
/**
 * Data-error reports (R37) the hub routes to `source`, the field's authoritative register, key =
 * personal id. One topic per register: a register's certificate reads its own and no other's
 * (kafka/access.ts), since reports carry citizens' data.
 */
export function correctionsTopic(source: SourceName): string {
  return `dancu.corrections.${source}.v1`;
}
/**
 * What `source` decided about the reports routed to it (R37), key = the report id, sent back by its
 * connector (connectors/sdk/corrections.ts). Only that register's certificate may write it, so the
 * hub knows who decided from the topic (hub/exchange/correction-decisions.ts).
 */
export function correctionDecisionsTopic(source: SourceName): string {
  return `dancu.correction-decisions.${source}.v1`;
}
/** The register a decisions topic belongs to, or undefined for any other topic. */
export function sourceOfDecisionsTopic(topic: string): SourceName | undefined {
  const source = /^dancu\.correction-decisions\.([a-z-]+)\.v1$/.exec(topic)?.[1];
  return source !== undefined && isSourceName(source) ? source : undefined;
}
/** The consumer group a register's connector reads its corrections in (the register's ACLs name it). */
export function correctionsGroup(source: SourceName): string {
  return `dancu-corrections-${source}`;
}
/** Connector heartbeats (connectors/sdk/heartbeat.ts), key = connector id. Operational, never personal data. */
export const HEARTBEATS_TOPIC = 'dancu.heartbeats.v1';
/**
 * Every signed head of the journal (hub/journal/head-witness.ts), key = the journal's database:
 * the witness outside the store. Hashes and sequences only, never personal data.
 */
export const JOURNAL_HEADS_TOPIC = 'dancu.journal-heads.v1';
/**
 * Registry changes that take access away (suspensions; revoked agreements, consents and
 * certificates; hub/registry/invalidation.ts), key = the action: every hub instance follows it from
 * its end and drops its registry caches at once. Identifiers only.
 */
export const INVALIDATIONS_TOPIC = 'dancu.invalidations.v1';

/** Headers on source records. All optional for foreign producers: the value is what counts. */
export const HEADERS = {
  eventId: 'dancu-event-id',
  schema: 'dancu-schema',
  traceparent: 'traceparent',
  /** On dead letters: why, where from. */
  reason: 'dancu-dlq-reason',
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicLayout {
  topic: string;
  partitions: number;
  config: Record<string, string>;
}

/** How each dancu topic is created when missing (existing topics are never altered). */
export function topicLayout(topic: string): TopicLayout {
  if (topic === DLQ_TOPIC) return { topic, partitions: 1, config: { 'retention.ms': String(90 * DAY_MS) } };
  // A source register may poll its corrections weekly or less: keep them as long as dead letters.
  if (SOURCES.some((source) => topic === correctionsTopic(source) || topic === correctionDecisionsTopic(source)))
    return { topic, partitions: 3, config: { 'retention.ms': String(90 * DAY_MS) } };
  // One partition keeps every connector's beats in one order for the hub's single reader; a day
  // is enough for a restarted hub to learn which connectors it should expect.
  if (topic === HEARTBEATS_TOPIC) return { topic, partitions: 1, config: { 'retention.ms': String(DAY_MS) } };
  // The witness must outlive every entry it vouches for: the journal keeps entries two years
  // (R35) and its retention job may run late, so three years, deleted only by age.
  if (topic === JOURNAL_HEADS_TOPIC) {
    return { topic, partitions: 1, config: { 'cleanup.policy': 'delete', 'retention.ms': String(3 * 366 * DAY_MS) } };
  }
  // One partition, one order; a record matters only to instances running when it is written
  // (they follow from the end), so a day is plenty.
  if (topic === INVALIDATIONS_TOPIC) return { topic, partitions: 1, config: { 'retention.ms': String(DAY_MS) } };
  return { topic, partitions: 3, config: { 'retention.ms': String(7 * DAY_MS) } };
}

export interface Replication {
  replicationFactor: number;
  /** With acks=all (every dancu producer), a write is acknowledged only once this many replicas hold it. */
  minInsyncReplicas: number;
}

/**
 * Three copies, of which two must hold a write before it is acknowledged, once the cluster has three
 * brokers: one broker may fail (or restart) without losing an acknowledged record or stopping writes.
 * A smaller (development) cluster keeps one copy per broker up to its size, and accepts a write on one.
 */
export function replicationFor(brokers: number): Replication {
  if (brokers >= 3) return { replicationFactor: 3, minInsyncReplicas: 2 };
  return { replicationFactor: Math.max(1, brokers), minInsyncReplicas: 1 };
}

/** The topics the hub's API writes or follows (the ingest's are the source topics and the DLQ). */
export const API_TOPICS: readonly string[] = [
  CHANGES_TOPIC,
  ...SOURCES.map(correctionsTopic),
  ...SOURCES.map(correctionDecisionsTopic),
  HEARTBEATS_TOPIC,
  JOURNAL_HEADS_TOPIC,
  INVALIDATIONS_TOPIC,
];

export const ALL_TOPICS: readonly string[] = [...SOURCES.map(sourceTopic), DLQ_TOPIC, ...API_TOPICS];
