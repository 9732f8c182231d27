// R37: a consumer that finds a wrong value reports it; the hub routes the report to the field's
// authoritative source register on that register's own `dancu.corrections.<source>.v1` (key =
// personal id, so one citizen's reports stay in order), where its connector, and no other
// register, can read it.

import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import { correctionsTopic } from '../../kafka/topics.ts';
import type { SourceName } from '../../schemas/sources.ts';
import type { CitizenField } from '../citizen/fields.ts';

/** The value of a `dancu.corrections.<source>.v1` record. */
export interface DataErrorReport {
  reportId: string;
  personalId: string;
  field: CitizenField;
  proposedValue: unknown;
  description: string;
  /** The authoritative source register the report is for. */
  routedTo: SourceName;
  reportedBy: { organisation: string; system: string; agreement: string; officer: string };
  reportedAt: string;
  traceId?: string;
}

export interface DataErrorReporter {
  report(report: DataErrorReport): Promise<void>;
}

export function kafkaDataErrorReporter(publisher: RecordPublisher): DataErrorReporter {
  return {
    async report(report) {
      await publisher.publish(correctionsTopic(report.routedTo), [{ key: report.personalId, value: JSON.stringify(report) }]);
    },
  };
}

/**
 * Keeps the report where its reporter can read its outcome (data-error-reports.ts), then routes it:
 * a report the register could decide is always one the hub knows.
 */
export function recordedReporter(reports: { record(report: DataErrorReport): Promise<void> }, route: DataErrorReporter): DataErrorReporter {
  return {
    async report(report) {
      await reports.record(report);
      await route.report(report);
    },
  };
}
