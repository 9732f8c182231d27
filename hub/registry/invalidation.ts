// The invalidation topic (dancu.invalidations.v1): every registry change that takes access away —
// a suspension, a revocation of an agreement, a consent or a certificate — is published here once
// it is in the store and journaled (and so are a reinstatement and a newly recorded certificate,
// so that what is given back works at once too). Every hub instance follows the topic from its end and, on any
// record, drops its cached registry reads and re-checks its open streams at once. The store stays
// the truth: an instance that misses a record still sees the change when its cache expires (2 s).

import type { connectKafka } from '../../kafka/connect.ts';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import { type TopicTail, tailTopic } from '../../kafka/topic-tail.ts';
import { INVALIDATIONS_TOPIC } from '../../kafka/topics.ts';

/** Registry actions after which every instance drops what it cached. */
export const INVALIDATING_ACTIONS = [
  'record-certificate',
  'suspend-agreement',
  'reinstate-agreement',
  'revoke-agreement',
  'revoke-consent',
  'revoke-certificate',
] as const;
export type InvalidatingAction = (typeof INVALIDATING_ACTIONS)[number];

export function isInvalidating(action: string): action is InvalidatingAction {
  return (INVALIDATING_ACTIONS as readonly string[]).includes(action);
}

/** One record of the topic. Identifiers only: never personal values beyond the personal id a consent names. */
export interface Invalidation {
  action: InvalidatingAction;
  agreement?: string;
  /** Fingerprints of the certificates revoked. */
  certificates?: string[];
  at: string;
}

export interface InvalidationPublisher {
  /** Never rejects: the change is already in the store, so a failure to publish is only reported. */
  publish(invalidation: Invalidation): Promise<void>;
}

/** How long a publish may take before it is given up (the caches expire anyway). */
const PUBLISH_TIMEOUT_MS = 10_000;

export function kafkaInvalidations(publisher: Pick<RecordPublisher, 'publish'>, log: (line: string) => void): InvalidationPublisher {
  return {
    async publish(invalidation) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Kafka in ${PUBLISH_TIMEOUT_MS / 1000} s`)), PUBLISH_TIMEOUT_MS);
      });
      try {
        await Promise.race([
          publisher.publish(INVALIDATIONS_TOPIC, [{ key: invalidation.action, value: JSON.stringify(invalidation) }]),
          timeout,
        ]);
      } catch (error) {
        log(
          `warning: ${invalidation.action} is in the store, but could not be published on ${INVALIDATIONS_TOPIC} ` +
            `(${error instanceof Error ? error.message : String(error)}): other hub instances apply it when their 2 s cache expires`,
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Follows the topic from its end: every record after this call reaches `onInvalidation`. */
export function followInvalidations(
  kafka: ReturnType<typeof connectKafka>,
  onInvalidation: (invalidation: Invalidation | null) => void,
): Promise<TopicTail> {
  return tailTopic(
    kafka,
    INVALIDATIONS_TOPIC,
    null,
    async (record) => {
      // Whatever the record says, the caches go: an unreadable one is still a reason to re-read.
      onInvalidation(parseInvalidation(record.value));
    },
    'invalidations',
  );
}

function parseInvalidation(value: Buffer | null): Invalidation | null {
  try {
    const parsed = JSON.parse(value?.toString('utf8') ?? '') as Invalidation;
    return isInvalidating(parsed.action) ? parsed : null;
  } catch {
    return null;
  }
}
