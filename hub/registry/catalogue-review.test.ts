import { describe, expect, it } from 'vitest';
import { type CatalogueReview, catalogueStatus, catalogueWarning, oneYearAfter } from './catalogue-review.ts';

const catalogue = { version: '2026.1', publishedAt: '2026-01-01' };
const review = (at: string): CatalogueReview => ({
  _id: at,
  version: '2026.1',
  reviewedAt: new Date(at),
  officer: 'c06-head',
  note: 'reviewed',
});

describe('the yearly catalogue review (R24)', () => {
  it('R24: a catalogue is due for review a year after its publication (Vietnam midnight), overdue just after', () => {
    expect(catalogueStatus(catalogue, [], new Date('2026-12-31T16:59:59Z'))).toMatchObject({
      lastReview: null,
      reviewDueAt: new Date('2026-12-31T17:00:00Z'),
      overdue: false,
    });
    const late = catalogueStatus(catalogue, [], new Date('2026-12-31T17:00:01Z'));
    expect(late.overdue).toBe(true);
    expect(catalogueWarning(late)).toMatch(
      /^warning: service catalogue 2026\.1 was last reviewed on 2026-01-01.*dancu registry catalogue-review/,
    );
  });

  it('R24: the latest review counts, whatever order reviews are listed in; one older than the publication does not', () => {
    const status = catalogueStatus(
      catalogue,
      [review('2026-06-01T00:00:00Z'), review('2026-09-01T00:00:00Z'), review('2025-06-01T00:00:00Z')],
      new Date('2027-03-01T00:00:00Z'),
    );
    expect(status).toMatchObject({
      lastReviewedAt: new Date('2026-09-01T00:00:00Z'),
      reviewDueAt: new Date('2027-09-01T00:00:00Z'),
      overdue: false,
    });
    expect(catalogueWarning(status)).toBeNull();
    expect(catalogueStatus(catalogue, [review('2025-06-01T00:00:00Z')], new Date('2026-02-01T00:00:00Z')).lastReviewedAt).toEqual(
      new Date('2025-12-31T17:00:00Z'),
    );
  });

  it('R24: a year after 29 February is 1 March', () => {
    expect(oneYearAfter(new Date('2028-02-29T05:00:00Z'))).toEqual(new Date('2029-03-01T05:00:00Z'));
  });
});
