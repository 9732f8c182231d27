// R37: a source connector's side of data-error reports. It receives the corrections routed to its
// register (its own `dancu.corrections.<source>.v1`, in its own group `dancu-corrections-<source>`),
// keeps them in the register's corrections file for the register's staff, and sends back what the
// register decided (accepted, or rejected with the reason) on its own
// `dancu.correction-decisions.<source>.v1`, recording that too. On the TLS listener the register's
// certificate may do exactly that and nothing of another register (kafka/access.ts).
// The file (`$DANCU_HOME/corrections/<source>.jsonl`, one JSON object a line) is the connector's
// record of every correction it received and every decision it sent.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { CorrectionDecision, CorrectionVerdict } from '../../hub/exchange/correction-decision.ts';
import type { DataErrorReport } from '../../hub/exchange/data-error-report.ts';
import { BatchConsumer } from '../../kafka/batch-consumer.ts';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import { correctionDecisionsTopic, correctionsGroup, correctionsTopic } from '../../kafka/topics.ts';
import type { SourceName } from '../../schemas/sources.ts';

export type CorrectionLine =
  | { event: 'received'; at: string; report: DataErrorReport }
  | { event: 'decided'; at: string; decision: CorrectionDecision };

/**
 * Follows the corrections routed to `source` from the oldest kept, appending each to `file` (and
 * handing it to `onReport`) before its offset is committed; a record that is no report for
 * `source` is skipped. Stop the returned consumer to end. `groupId` other than the register's own
 * group is for tests on the development listener: the register's certificate may use only its own.
 */
export function followCorrections(options: {
  kafka: Kafka;
  source: SourceName;
  file: string;
  groupId?: string;
  onReport?: (report: DataErrorReport) => void;
  log?: (line: string) => void;
}): BatchConsumer {
  const log = options.log ?? ((line: string) => console.error(line));
  const consumer = new BatchConsumer(options.kafka, {
    groupId: options.groupId ?? correctionsGroup(options.source),
    topics: [correctionsTopic(options.source)],
    handle: async (records) => {
      const mine: DataErrorReport[] = [];
      for (const record of records) {
        try {
          const report = JSON.parse(record.value?.toString('utf8') ?? '') as DataErrorReport;
          if (report.routedTo === options.source && typeof report.reportId === 'string') mine.push(report);
        } catch {
          log(`${record.topic}[${record.partition}]@${record.offset}: not a data-error report; skipped`);
        }
      }
      if (mine.length === 0) return;
      await appendLines(
        options.file,
        mine.map((report) => ({ event: 'received', at: new Date().toISOString(), report })),
      );
      for (const report of mine) options.onReport?.(report);
    },
    onFailure: (failure) => log(`corrections: ${failure.where ?? failure.kind} failed; retrying in ${failure.retryInMs} ms`),
  });
  return consumer;
}

/**
 * Sends the register's decision on a correction it received back to the hub, and records it. A
 * rejection needs its reason; a correction decided already, or never received, is refused.
 */
export async function decideCorrection(
  options: { publisher: Pick<RecordPublisher, 'publish'>; source: SourceName; file: string },
  input: { reportId: string; decision: CorrectionVerdict; reason?: string; decidedBy: string },
): Promise<CorrectionDecision> {
  const reason = input.reason?.trim() ?? '';
  if (input.decision === 'rejected' && reason === '')
    throw new Error('a rejected correction needs the reason the register gives the reporter (--reason)');
  const state = await correctionsOf(options.file);
  const received = state.find((entry) => entry.report.reportId === input.reportId);
  if (received === undefined)
    throw new Error(
      `no correction ${input.reportId} was received for ${options.source} (run \`dancu corrections inbox ${options.source}\` first)`,
    );
  if (received.decision)
    throw new Error(`correction ${input.reportId} was already ${received.decision.decision} on ${received.decision.decidedAt}`);
  const decision: CorrectionDecision = {
    reportId: input.reportId,
    source: options.source,
    decision: input.decision,
    reason,
    decidedAt: new Date().toISOString(),
    decidedBy: input.decidedBy,
  };
  await options.publisher.publish(correctionDecisionsTopic(options.source), [{ key: decision.reportId, value: JSON.stringify(decision) }]);
  await appendLines(options.file, [{ event: 'decided', at: decision.decidedAt, decision }]);
  return decision;
}

/** Every correction in the register's file, with its decision once made, oldest first. */
export async function correctionsOf(file: string): Promise<{ report: DataErrorReport; decision?: CorrectionDecision }[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  const byId = new Map<string, { report: DataErrorReport; decision?: CorrectionDecision }>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as CorrectionLine;
    if (entry.event === 'received' && !byId.has(entry.report.reportId)) byId.set(entry.report.reportId, { report: entry.report });
    if (entry.event === 'decided') {
      const known = byId.get(entry.decision.reportId);
      if (known) known.decision = entry.decision;
    }
  }
  return [...byId.values()];
}

async function appendLines(file: string, lines: CorrectionLine[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}
