// R29–R32: a connecting system must meet security level 3 or higher, shown by an assessment made
// before it connects and after any design change, repeated every year and whenever the agency
// asks. An assessment is valid for one year and for the system version it assessed. Systems
// already connected through the e-identification platform need no assessment here (R31).
import type { Checked } from './registry-error.ts';
import { localDay } from './working-days.ts';

export const ASSESSMENT_KINDS = ['initial', 'periodic', 'ad-hoc', 'design-change'] as const;
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number];

/** R29: the lowest security level a connecting system may have. */
export const MINIMUM_SECURITY_LEVEL = 3;

export interface SecurityAssessment {
  systemId: string;
  systemVersion: string;
  level: number;
  assessedAt: Date;
  kind: AssessmentKind;
  findings: string;
  /** Who assessed: the assessing organisation or team. */
  assessor: string;
}

/** Collection `security_assessments`: one document per system, every assessment it had. */
export interface SystemAssessments {
  _id: string;
  assessments: SecurityAssessment[];
}

export type AssessmentRefusal = 'ASSESSMENT_MISSING' | 'ASSESSMENT_EXPIRED' | 'ASSESSMENT_LEVEL_TOO_LOW' | 'ASSESSMENT_FOR_OTHER_VERSION';
export type AssessmentStatus = { ok: true; exempt?: true } | { ok: false; reason: AssessmentRefusal };

/**
 * A well-formed assessment, made by `now` (a Vietnamese calendar day after today is refused: a
 * future-dated assessment would stay valid a year too long and outrank the real ones after it).
 */
export function checkAssessment(value: unknown, now: Date): Checked<SecurityAssessment> {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['systemId', 'systemVersion', 'findings', 'assessor'] as const) {
    if (typeof v[key] !== 'string' || (v[key] as string).trim() === '') problems.push(`${key} must be a non-empty string`);
  }
  if (typeof v.level !== 'number' || !Number.isInteger(v.level) || v.level < 1 || v.level > 5)
    problems.push(`level must be a whole number from 1 to 5, not ${JSON.stringify(v.level)}`);
  const assessedAt = v.assessedAt instanceof Date ? v.assessedAt : new Date(typeof v.assessedAt === 'string' ? v.assessedAt : Number.NaN);
  if (Number.isNaN(assessedAt.getTime())) problems.push(`assessedAt must be a date, not ${JSON.stringify(v.assessedAt)}`);
  else if (localDay(assessedAt) > localDay(now))
    problems.push(
      `assessedAt ${localDay(assessedAt)} is in the future (today is ${localDay(now)} in Vietnam): record an assessment once it is made`,
    );
  if (typeof v.kind !== 'string' || !(ASSESSMENT_KINDS as readonly string[]).includes(v.kind))
    problems.push(`kind must be one of ${ASSESSMENT_KINDS.join(', ')}, not ${JSON.stringify(v.kind)}`);
  if (problems.length > 0) return { ok: false, problems };
  const { systemId, systemVersion, level, kind, findings, assessor } = v as unknown as SecurityAssessment;
  return { ok: true, value: { systemId, systemVersion, level, assessedAt, kind, findings, assessor } };
}

/**
 * The assessment that counts: the most recent by date; of those made on the same date, the one
 * recorded last (`assessments` is in recording order), so a failing reassessment on the day of a
 * passing one decides. An older report filed late does not outrank a newer one.
 */
export function latestAssessment(assessments: readonly SecurityAssessment[]): SecurityAssessment | null {
  return assessments.reduce<SecurityAssessment | null>(
    (latest, candidate) => (latest === null || candidate.assessedAt >= latest.assessedAt ? candidate : latest),
    null,
  );
}

/** One year after `assessedAt`, to the millisecond. */
export function assessmentExpiresAt(assessment: Pick<SecurityAssessment, 'assessedAt'>): Date {
  const until = new Date(assessment.assessedAt);
  until.setUTCFullYear(until.getUTCFullYear() + 1);
  return until;
}

/** R29–R31: whether the system, as the agreement names it, may connect at `now`. */
export function assessmentStatus(
  system: { version: string; connectedViaEidPlatform: boolean },
  assessments: readonly SecurityAssessment[],
  now: Date,
): AssessmentStatus {
  if (system.connectedViaEidPlatform) return { ok: true, exempt: true };
  // Only assessments of the version that connects count: an older version's clean report says
  // nothing about a design change (R30).
  const latest = latestAssessment(assessments.filter((assessment) => assessment.systemVersion === system.version));
  if (latest === null) return { ok: false, reason: assessments.length > 0 ? 'ASSESSMENT_FOR_OTHER_VERSION' : 'ASSESSMENT_MISSING' };
  if (latest.level < MINIMUM_SECURITY_LEVEL) return { ok: false, reason: 'ASSESSMENT_LEVEL_TOO_LOW' };
  if (now >= assessmentExpiresAt(latest)) return { ok: false, reason: 'ASSESSMENT_EXPIRED' };
  return { ok: true };
}
