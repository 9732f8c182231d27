// The one place where errors become gRPC statuses: a Refusal as it is; each module's own errors
// (the registry's, the support desk's, the e-identification platform's, an operator's) as the
// refusal they amount to (asRefusal); anything else as INTERNAL.
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { REASON_METADATA_KEY } from '../../proto/metadata.ts';
import type { RefusalKind, RefusalReason } from '../../proto/reasons.ts';
import { EidAssertionError } from '../eid/eid-assertion.ts';
import { ConnectorRetirementRefused } from '../operations/connector-retirement.ts';
import { OperatorReadRefused } from '../operations/operator-read.ts';
import { RegistryError, type RegistryErrorCode } from '../registry/registry-error.ts';
import { SupportError, type SupportErrorCode } from '../support/support-error.ts';
import { Refusal } from './refusal.ts';

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

/** The refusal each registry error is sent as (Registry and WrittenRequests services). */
export const REGISTRY_REFUSALS: Record<RegistryErrorCode, RefusalReason> = {
  NOT_FOUND: 'RECORD_NOT_FOUND',
  INVALID: 'INVALID_REQUEST',
  NOT_COMPETENT: 'NOT_COMPETENT',
  CHANNEL_NOT_ALLOWED: 'CHANNEL_NOT_ALLOWED',
  REASON_REQUIRED: 'REASON_REQUIRED',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  CONFLICT: 'CONFLICT',
  NOT_CONFIRMED: 'CONSENT_NOT_CONFIRMED',
};

/** The refusal each support desk error is sent as (Support service). */
export const SUPPORT_REFUSALS: Record<SupportErrorCode, RefusalReason> = {
  NOT_FOUND: 'RECORD_NOT_FOUND',
  INVALID: 'INVALID_REQUEST',
  REASON_REQUIRED: 'REASON_REQUIRED',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  NOT_AN_OFFICER: 'NOT_AN_OPERATOR',
  NOT_COMPETENT: 'NOT_COMPETENT',
};

/**
 * The refusal a module's error amounts to, or `error` unchanged when it is none (a bug, an
 * outage: sent as INTERNAL). Every service maps what its handlers throw through this.
 */
export function asRefusal(error: unknown): unknown {
  if (error instanceof Refusal) return error;
  if (error instanceof RegistryError) return new Refusal(REGISTRY_REFUSALS[error.code], error.message);
  if (error instanceof SupportError) return new Refusal(SUPPORT_REFUSALS[error.code], error.message);
  if (error instanceof EidAssertionError) return new Refusal(error.code, error.message);
  if (error instanceof OperatorReadRefused) return new Refusal(error.code, error.message);
  if (error instanceof ConnectorRetirementRefused) return new Refusal('INVALID_REQUEST', error.message);
  return error;
}

/**
 * A refusal as the client sees it: status code, `REASON: sentence`, and the reason in metadata.
 * A call pipeline passes what its handler threw through `asRefusal` first, and journals the refusal.
 */
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
