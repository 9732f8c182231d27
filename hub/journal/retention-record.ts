// A retention record: the hub's signed word that the journal's entries 1…through, and the signed
// heads for them, were removed because their retention (at least two years, R35) had passed. It is
// the only way entries may leave the journal: `journal verify` accepts a journal that does not
// start at entry 1 only when a record with a valid signature covers the missing beginning, and the
// first entry kept links to the last one removed. Each record covers everything from entry 1, so
// the latest record is the one that counts; deleting it exposes the gap it covered.
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from './hash-chain.ts';
import { addYears, MAX_CLOCK_SKEW_MS, MIN_RETENTION_YEARS } from './journal.ts';
import { documentId, SHARED_CHAIN } from './journal-chain.ts';
import { signatureValid, signDocument } from './signed-document.ts';
import { type ChainHead, type HeadLink, NO_HEAD } from './signed-head.ts';

/** A document of `journal_retention`. */
export interface RetentionRecord {
  /**
   * The last entry removed (`through`; `<chain>:<through>` off the shared chain), so a retention
   * run repeated is a duplicate key.
   */
  _id: number | string;
  /** The chain it removed a beginning of: each chain has its own records. */
  chain: string;
  /** The last entry removed: entries 1…through are gone. */
  through: number;
  /** Its hash: entry through + 1 links to it. */
  lastHash: string;
  /** Its `at`: at least MIN_RETENTION_YEARS before signedAt (verify checks it). */
  lastAt: Date;
  /** The last signed head removed with them (0: none), and its digest (64 zeros: none). */
  headsThrough: number;
  lastHeadDigest: string;
  signedAt: Date;
  /** Ed25519 over every other field (signed-document.ts), base64. */
  signature: string;
}

/** Where the journal starts: the last entry and head removed by retention (or none yet). */
export interface JournalStart {
  entry: number;
  hash: string;
  head: HeadLink;
}

export const JOURNAL_BEGINNING: JournalStart = { entry: 0, hash: GENESIS_HASH, head: NO_HEAD };

export function signRetentionRecord(
  last: ChainHead,
  lastHead: HeadLink,
  privateKey: KeyObject,
  signedAt = new Date(),
  chain = SHARED_CHAIN,
): RetentionRecord {
  return signDocument<RetentionRecord>(
    {
      _id: documentId(chain, last.sequence),
      chain,
      through: last.sequence,
      lastHash: last.hash,
      lastAt: last.at,
      headsThrough: lastHead.sequence,
      lastHeadDigest: lastHead.digest,
      signedAt,
    },
    privateKey,
  );
}

export function startAfter(record: RetentionRecord | undefined): JournalStart {
  if (!record) return JOURNAL_BEGINNING;
  return {
    entry: record.through,
    hash: record.lastHash,
    head: { sequence: record.headsThrough, entry: record.through, digest: record.lastHeadDigest },
  };
}

/**
 * What is wrong with a retention record, or undefined. Without a public key the signature is not
 * checked, but the dates still catch a forgery that removes recent entries: to pass as old enough,
 * it must be dated ahead.
 */
export function retentionRecordProblem(record: RetentionRecord, publicKey: KeyObject | undefined, now: Date): string | undefined {
  const removing = `the retention record removing entries 1…${record.through}`;
  if (publicKey && !signatureValid(record, publicKey)) return `${removing} does not verify with the hub's public key: it was forged`;
  if (record.signedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    return `${removing} is dated ${record.signedAt.toISOString()}, in the future: it was forged`;
  }
  if (addYears(record.lastAt, MIN_RETENTION_YEARS) > record.signedAt) {
    return (
      `${removing} was signed ${record.signedAt.toISOString()}, but entry ${record.through} is of ` +
      `${record.lastAt.toISOString()}: kept less than the ${MIN_RETENTION_YEARS} years R35 requires`
    );
  }
  return undefined;
}
