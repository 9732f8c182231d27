// Duplicate-key errors (E11000), the one signal our writes rely on instead of transactions: an
// insert of an `_id` that already exists tells a writer it lost a race or is replaying.
import { MongoBulkWriteError, MongoServerError } from 'mongodb';

export const DUPLICATE_KEY = 11000;

function bulkCodes(error: MongoBulkWriteError): number[] {
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.map((writeError) => writeError.code);
}

/** A single write refused as a duplicate, or a bulk write with at least one duplicate among its errors. */
export function isDuplicateKey(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) return bulkCodes(error).includes(DUPLICATE_KEY);
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Like isDuplicateKey, but a bulk write must have failed on duplicates alone. */
export function onlyDuplicateKeys(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const codes = bulkCodes(error);
    return codes.length > 0 && codes.every((code) => code === DUPLICATE_KEY);
  }
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/**
 * The positions in an unordered insertMany that were refused as duplicates; undefined when the
 * error is anything else. MongoDB and FerretDB 1.24 both report every duplicate of an unordered
 * insert with its index and insert the rest (test/population-store.test.ts checks FerretDB).
 */
export function duplicatePositions(error: unknown): Set<number> | undefined {
  if (!(error instanceof MongoBulkWriteError) || !onlyDuplicateKeys(error)) return undefined;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return new Set(writeErrors.map((writeError) => writeError.index));
}
