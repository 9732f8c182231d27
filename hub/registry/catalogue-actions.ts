// The service catalogue (R16) and its yearly review (R24), as registry actions.
import { randomUUID } from 'node:crypto';
import { type CatalogueReview, type CatalogueStatus, catalogueStatus } from './catalogue-review.ts';
import { type Actor, actorName } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryCollections } from './registry-store.ts';
import { SERVICE_CATALOGUE, type ServiceCatalogue } from './service-catalogue.ts';

export class CatalogueActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly now: () => Date,
    private readonly act: Act,
  ) {}

  /** R16: the published service catalogue. */
  serviceCatalogue(): ServiceCatalogue {
    return SERVICE_CATALOGUE;
  }

  /** R24: when the catalogue was last reviewed, and whether a year has passed since. */
  async catalogueStatus(now = this.now()): Promise<CatalogueStatus> {
    return catalogueStatus(SERVICE_CATALOGUE, await this.store.catalogueReviews.find({}).toArray(), now);
  }

  /** R24: the agency head records the yearly review of the catalogue in force, with a note of what was decided. */
  async reviewCatalogue(note: string, by: Actor): Promise<CatalogueStatus> {
    return this.act<CatalogueStatus>('review-catalogue', by, {}, async ({ entry }) => {
      const why = note.trim();
      entry.detail = `catalogue ${SERVICE_CATALOGUE.version}: ${why}`;
      if (why === '')
        throw new RegistryError('REASON_REQUIRED', 'a catalogue review is recorded with a note of what was reviewed and decided');
      const review: CatalogueReview = {
        _id: randomUUID(),
        version: SERVICE_CATALOGUE.version,
        reviewedAt: this.now(),
        officer: actorName(by),
        note: why,
      };
      return {
        apply: async () => {
          await this.store.catalogueReviews.insertOne(review);
          return this.catalogueStatus();
        },
      };
    });
  }
}
