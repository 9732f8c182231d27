// R37: every data-error report the hub routed, and what its register decided, so the reporter can
// read the outcome (Exchange.GetDataErrorReport). Collection `data_error_reports`, `_id` = the
// report id; one insert when routed, one update when decided (the first decision stands).
import type { Collection, Db } from 'mongodb';
import type { JournalWriter } from '../journal/journal-entry.ts';
import type { CorrectionDecision, CorrectionVerdict } from './correction-decision.ts';
import type { DataErrorReport } from './data-error-report.ts';

export type ReportStatus = 'routed' | CorrectionVerdict;

export interface StoredReport extends Omit<DataErrorReport, 'reportId' | 'reportedAt'> {
  _id: string;
  reportedAt: Date;
  status: ReportStatus;
  decision?: { reason: string; decidedAt: Date; decidedBy: string; receivedAt: Date };
}

export class DataErrorReports {
  private readonly reports: Collection<StoredReport>;

  constructor(
    db: Db,
    private readonly journal: JournalWriter,
  ) {
    this.reports = db.collection<StoredReport>('data_error_reports');
  }

  async record(report: DataErrorReport): Promise<void> {
    const { reportId, reportedAt, ...rest } = report;
    await this.reports.insertOne({ _id: reportId, ...rest, reportedAt: new Date(reportedAt), status: 'routed' });
  }

  async get(reportId: string): Promise<StoredReport | null> {
    return this.reports.findOne({ _id: reportId });
  }

  /**
   * Records a register's decision, journaled (act `correction`): applied when the report is known,
   * undecided and routed to that register; refused and journaled with why when routed to another,
   * and the report is left as it was. A decision seen again (a redelivery) changes nothing.
   */
  async decide(decision: CorrectionDecision, receivedAt = new Date()): Promise<'applied' | 'already-decided' | 'refused' | 'unknown'> {
    const report = await this.reports.findOne({ _id: decision.reportId });
    const entry = {
      act: 'correction' as const,
      action: 'decide-correction',
      actor: { organisation: `register:${decision.source}`, officer: decision.decidedBy },
      fields: report ? [report.field] : [],
      citizens: report ? [report.personalId] : [],
    };
    const refuse = async (reason: string, detail: string) => {
      await this.journal.append({ ...entry, decision: 'refused', reason, detail: `${decision.reportId}: ${detail}` });
      return 'refused' as const;
    };
    // Not journaled as refused: another hub database's report on the shared topic is none of ours.
    if (report === null) return 'unknown';
    if (report.routedTo !== decision.source)
      return refuse('NOT_THE_AUTHORITY', `routed to ${report.routedTo}, decided by ${decision.source}`);
    if (report.status !== 'routed') return 'already-decided';
    await this.reports.updateOne(
      { _id: decision.reportId },
      {
        $set: {
          status: decision.decision,
          decision: { reason: decision.reason, decidedAt: new Date(decision.decidedAt), decidedBy: decision.decidedBy, receivedAt },
        },
      },
    );
    await this.journal.append({
      ...entry,
      agreement: report.reportedBy.agreement,
      decision: 'done',
      detail: `${decision.reportId}: ${decision.decision} by ${decision.source}`,
    });
    return 'applied';
  }
}
