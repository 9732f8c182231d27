// R37: what a source register decided about a data-error report routed to it, as its connector
// sends it back on its own `dancu.correction-decisions.<source>.v1` (key = the report id), which only
// that register's certificate may write. The contract is here, in one place: the connector SDK
// writes it, the hub reads it.
import type { SourceName } from '../../schemas/sources.ts';

export type CorrectionVerdict = 'accepted' | 'rejected';

export interface CorrectionDecision {
  reportId: string;
  /** The register that decided: the one whose decisions topic carried it, and the one the report was routed to. */
  source: SourceName;
  decision: CorrectionVerdict;
  /** Required when rejected: why, for the reporter. When accepted, what the register did (optional). */
  reason: string;
  decidedAt: string;
  /** Who at the register decided (an officer id or a role), never a citizen's data. */
  decidedBy: string;
}

const REPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The decision in a record's value read from `topicSource`'s decisions topic, or a sentence saying
 * why it is none. The topic says who decided (the broker let only that register write it): a value
 * naming another register is a forgery, not a decision.
 */
export function parseCorrectionDecision(
  value: Buffer | string | null,
  topicSource: SourceName,
): { ok: true; decision: CorrectionDecision } | { ok: false; problem: string } {
  let parsed: Partial<CorrectionDecision>;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : (value?.toString('utf8') ?? '')) as Partial<CorrectionDecision>;
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (typeof parsed.reportId !== 'string' || !REPORT_ID.test(parsed.reportId)) return { ok: false, problem: 'reportId is not a report id' };
  if (parsed.decision !== 'accepted' && parsed.decision !== 'rejected')
    return { ok: false, problem: 'decision must be accepted or rejected' };
  const reason = typeof parsed.reason === 'string' ? parsed.reason.trim().slice(0, 2000) : '';
  if (parsed.decision === 'rejected' && reason === '') return { ok: false, problem: 'a rejection needs its reason' };
  if (
    typeof parsed.source !== 'string' ||
    typeof parsed.decidedBy !== 'string' ||
    typeof parsed.decidedAt !== 'string' ||
    Number.isNaN(Date.parse(parsed.decidedAt))
  ) {
    return { ok: false, problem: 'source, decidedBy and decidedAt (ISO) are required' };
  }
  if (parsed.source !== topicSource)
    return {
      ok: false,
      problem: `names ${JSON.stringify(parsed.source.slice(0, 40))} as its register on the decisions topic of ${topicSource}`,
    };
  return {
    ok: true,
    decision: {
      reportId: parsed.reportId,
      source: topicSource,
      decision: parsed.decision,
      reason,
      decidedAt: parsed.decidedAt,
      decidedBy: parsed.decidedBy.slice(0, 64),
    },
  };
}
