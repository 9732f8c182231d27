// Where the registry keeps its documents. Every hot-path read is by `_id` alone (FerretDB pushes
// only a bare `{ _id }` filter down to an index), and every write touches one document:
//
//   officers              _id officer id            Officer
//   connection_requests   _id request id            RequestRecord (the agreement once approved)
//   request_transitions   _id <request>#<revision>  TransitionClaim: the compare-and-set of a lifecycle step
//   systems               _id system id             SystemRecord: its organisation, agreements, certificates
//   security_assessments  _id system id             SystemAssessments: every assessment of the system
//   consents              _id <agreement>:<pid>     ConsentRecord
//   revoked_certificates  _id fingerprint           RevokedCertificate (certificate-revocation.ts)
//   quota_leases          _id <agreement>/<day>/<block>            QuotaLease: a block of the day's units (quota-lease.ts)
//                         _id <agreement>/<day>/refused/<instance> RefusedTally: an instance's refused units that day
//   catalogue_reviews     _id review id             CatalogueReview: a yearly review of the service catalogue (R24)

import { isDeepStrictEqual } from 'node:util';
import type { Collection, Db, Document } from 'mongodb';
import type { SourceName } from '../../schemas/sources.ts';
import { isDuplicateKey } from '../store/duplicate-key.ts';
import type { RequestRecord } from './agreement.ts';
import type { CatalogueReview } from './catalogue-review.ts';
import type { RevokedCertificate } from './certificate-revocation.ts';
import type { Officer } from './competent-authority.ts';
import type { ConsentRecord } from './consent.ts';
import type { QuotaDocument } from './quota-lease.ts';
import type { SystemAssessments } from './security-assessment.ts';

/** A connected system: whose it is, the requests naming it, the certificates pki issued for it. */
export interface SystemRecord {
  _id: string;
  organisationId: string;
  /** Every request naming the system, from submission on (so approval stays a one-document write). */
  agreementIds: string[];
  /** SHA-256 fingerprints of its client certificates, `AB:CD:…` as node's X509Certificate prints them. */
  certificateFingerprints?: string[];
  /** For a source system (source-system.ts): the source topic it may write, and its assessed version. */
  source?: SourceName;
  version?: string;
  /**
   * A source system's Kafka principal per certificate: its ACLs exist while the certificate does, and
   * are withdrawn once the fingerprint has left `certificateFingerprints` (revoked, or replaced).
   */
  kafkaPrincipals?: KafkaPrincipal[];
  /** R31: set once the agency confirmed the system is connected through the e-identification platform. */
  eidPlatformConfirmation?: EidPlatformConfirmation;
}

/** The agency's confirmation of an e-ID platform connection (`dancu registry confirm-eid`). */
export interface EidPlatformConfirmation {
  /** The officer who confirmed it. */
  by: string;
  at: Date;
  /** The agency's record of the connection (a document number). */
  reference: string;
}

export interface KafkaPrincipal {
  fingerprint: string;
  principal: string;
}

/** A request record with the revision used as its compare-and-set token. */
export type StoredRequest = RequestRecord & { revision: number };

/**
 * FerretDB applies an update by reading, modifying and writing back, so a filter on `revision`
 * is no compare-and-set (and would scan). Inserting `<request>#<next revision>` is: the unique
 * `_id` lets exactly one of two officers acting at once move the request.
 */
export interface TransitionClaim {
  _id: string;
  status: RequestRecord['status'];
  officer: string;
  at: Date;
}

/** An officer with the fingerprints of the operator certificates pki issued them, so they can be revoked by officer id. */
export type StoredOfficer = Officer & { certificateFingerprints?: string[] };

export interface RegistryCollections {
  officers: Collection<StoredOfficer>;
  requests: Collection<StoredRequest>;
  transitions: Collection<TransitionClaim>;
  systems: Collection<SystemRecord>;
  assessments: Collection<SystemAssessments>;
  consents: Collection<ConsentRecord>;
  revokedCertificates: Collection<RevokedCertificate>;
  quotaLeases: Collection<QuotaDocument>;
  catalogueReviews: Collection<CatalogueReview>;
}

export function registryCollections(db: Db): RegistryCollections {
  return {
    officers: db.collection<StoredOfficer>('officers'),
    requests: db.collection<StoredRequest>('connection_requests'),
    transitions: db.collection<TransitionClaim>('request_transitions'),
    systems: db.collection<SystemRecord>('systems'),
    assessments: db.collection<SystemAssessments>('security_assessments'),
    consents: db.collection<ConsentRecord>('consents'),
    revokedCertificates: db.collection<RevokedCertificate>('revoked_certificates'),
    quotaLeases: db.collection<QuotaDocument>('quota_leases'),
    catalogueReviews: db.collection<CatalogueReview>('catalogue_reviews'),
  };
}

/**
 * Inserts a document unless its `_id` exists. A retried insert of the same content is a replay
 * and answers 'same'; different content under the same `_id` answers 'taken'.
 * `compare` picks the parts that must match (default: the whole document).
 */
export async function insertOnce<T extends Document & { _id: string }>(
  collection: Collection<T>,
  doc: T,
  compare: (doc: T) => unknown = (d) => d,
): Promise<'inserted' | 'same' | 'taken'> {
  try {
    await collection.insertOne(doc as Parameters<Collection<T>['insertOne']>[0]);
    return 'inserted';
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = (await collection.findOne({ _id: doc._id } as Parameters<Collection<T>['findOne']>[0])) as T | null;
    return existing !== null && isDeepStrictEqual(compare(existing), compare(doc)) ? 'same' : 'taken';
  }
}

/**
 * Runs an upsert by `_id`, once more if it lost a race to insert the same `_id`: MongoDB retries
 * that case itself, FerretDB answers E11000, and the second try finds the document and updates it.
 */
export async function upsertRetried<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return upsert();
  }
}
