// The one place where refusals and unexpected errors become gRPC statuses.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { REASON_METADATA_KEY } from '../../proto/metadata.ts';
import { Refusal, type RefusalKind } from './refusal.ts';


const STATUS_OF: Record<RefusalKind, status> = {
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  ABORTED: status.ABORTED,
  UNAVAILABLE: status.UNAVAILABLE,
};

/** A refusal as the client sees it: status code, `REASON: sentence`, and the reason in metadata. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (error instanceof Refusal) {
    metadata.set(REASON_METADATA_KEY, error.reason);
    return { code: STATUS_OF[error.kind], details: `${error.reason}: ${error.message}`, metadata };
  }
  // Anything else is our fault; say so without leaking internals (they go to the log).
  metadata.set(REASON_METADATA_KEY, 'INTERNAL');
  return { code: status.INTERNAL, details: 'INTERNAL: the hub failed to answer; the operators have the details', metadata };
}
