// R16, R24: the catalogue of exploitation services is published, and the Ministry reviews and
// updates it every year (draft circular Điều 10.1). The catalogue's version and publication date
// are in service-catalogue.ts; each review an officer records is kept (collection
// `catalogue_reviews`) and journaled. A catalogue neither published nor reviewed within the last
// year is overdue, and operators are told so (CLI, /metrics) until someone reviews it.
import type { ServiceCatalogue } from './service-catalogue.ts';
import { localDay } from './working-days.ts';

/** One review of the catalogue by an officer of the agency head's level. */
export interface CatalogueReview {
  _id: string;
  /** The catalogue version reviewed. */
  version: string;
  reviewedAt: Date;
  officer: string;
  note: string;
}

export interface CatalogueStatus {
  version: string;
  publishedAt: Date;
  /** The later of its publication and its latest review. */
  lastReviewedAt: Date;
  lastReview: CatalogueReview | null;
  /** A year after the last review: by then it must be reviewed again (R24). */
  reviewDueAt: Date;
  overdue: boolean;
}

/** A year on in the calendar (29 February moves to 1 March). */
export function oneYearAfter(date: Date): Date {
  const next = new Date(date);
  next.setUTCFullYear(next.getUTCFullYear() + 1);
  return next;
}

export function catalogueStatus(
  catalogue: Pick<ServiceCatalogue, 'version' | 'publishedAt'>,
  reviews: readonly CatalogueReview[],
  now: Date,
): CatalogueStatus {
  const publishedAt = new Date(`${catalogue.publishedAt}T00:00:00+07:00`);
  const lastReview = reviews.reduce<CatalogueReview | null>(
    (latest, review) => (latest === null || review.reviewedAt > latest.reviewedAt ? review : latest),
    null,
  );
  const lastReviewedAt = lastReview !== null && lastReview.reviewedAt > publishedAt ? lastReview.reviewedAt : publishedAt;
  const reviewDueAt = oneYearAfter(lastReviewedAt);
  return {
    version: catalogue.version,
    publishedAt,
    lastReviewedAt,
    lastReview,
    reviewDueAt,
    overdue: now.getTime() > reviewDueAt.getTime(),
  };
}

/** The operator's warning for an overdue catalogue, or null. */
export function catalogueWarning(status: CatalogueStatus): string | null {
  if (!status.overdue) return null;
  return (
    `warning: service catalogue ${status.version} was last reviewed on ${localDay(status.lastReviewedAt)}, more than a year ago (R24: ` +
    'it is reviewed and updated every year). Review it, publish a new version if the services changed, and record the review with ' +
    '`dancu registry catalogue-review --officer <agency-head> --note <text>`.'
  );
}
