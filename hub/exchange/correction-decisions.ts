// R37: the hub's side of the registers' decisions. It follows every register's own decisions topic
// (`dancu.correction-decisions.<source>.v1`) and takes who decided from the topic, which the broker
// lets only that register's certificate write: a value naming another register is skipped, and a
// decision on a report routed elsewhere is refused by DataErrorReports (journaled NOT_THE_AUTHORITY).
import type { Kafka } from 'kafkajs';
import { BatchConsumer } from '../../kafka/batch-consumer.ts';
import { correctionDecisionsTopic, sourceOfDecisionsTopic } from '../../kafka/topics.ts';
import { SOURCES } from '../../schemas/sources.ts';
import { parseCorrectionDecision } from './correction-decision.ts';
import type { DataErrorReports } from './data-error-reports.ts';

/** Each hub database applies every decision once, from the oldest kept: a group of its own. */
export function correctionDecisionsGroup(database: string): string {
  return `dancu-correction-decisions-${database}`;
}

/** Applies the registers' decisions to `reports` until the returned consumer is stopped. */
export function followCorrectionDecisions(options: {
  kafka: Kafka;
  reports: Pick<DataErrorReports, 'decide'>;
  groupId: string;
  log: (line: string) => void;
}): BatchConsumer {
  const { log, reports } = options;
  return new BatchConsumer(options.kafka, {
    groupId: options.groupId,
    topics: SOURCES.map(correctionDecisionsTopic),
    handle: async (records) => {
      for (const record of records) {
        const where = `${record.topic}[${record.partition}]@${record.offset}`;
        const source = sourceOfDecisionsTopic(record.topic);
        const parsed =
          source === undefined ? { ok: false as const, problem: 'not a decisions topic' } : parseCorrectionDecision(record.value, source);
        if (!parsed.ok) {
          log(`${where}: not a correction decision (${parsed.problem}); skipped`);
          continue;
        }
        const outcome = await reports.decide(parsed.decision);
        if (outcome === 'refused')
          log(
            `${where}: ${parsed.decision.source} decided ${parsed.decision.reportId}, a report routed to another register; not applied (journaled NOT_THE_AUTHORITY)`,
          );
      }
    },
    onFailure: (failure) =>
      log(
        `correction decisions: ${failure.where ?? failure.kind} failed (${failure.error instanceof Error ? failure.error.message : String(failure.error)}); retrying in ${failure.retryInMs} ms`,
      ),
  });
}
