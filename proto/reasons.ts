// The reasons the hub gives for a refusal: part of the gRPC API, like the metadata key that carries
// them (metadata.ts). The hub refuses with them (hub/exchange/refusal.ts, mapped to a status in
// grpc-status.ts); clients decide "retry, report or stop" from the same table
// (connectors/consumers/refused.ts), never from the message text.

/** The gRPC status family a refusal maps to. */
export type RefusalKind =
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'OUT_OF_RANGE'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'UNAVAILABLE';

/**
 * Every reason code: the status family it maps to, whether the Exchange service can send it (the
 * others are the Registry's and Operations' own), and whether the same call may succeed later with
 * nothing changed on the caller's side (only waiting helps: the hub or what it needs is unavailable
 * for now, or a rate limit). THROTTLED and QUOTA_EXCEEDED are not retryable on purpose: the first
 * flags a verification loop (retrying is the very pattern flagged), the second lasts until
 * tomorrow's quota. The reason table atop proto/dancu/exchange/v1/exchange.proto lists exactly the
 * Exchange's, with the same statuses; hub/exchange/refusal.test.ts holds the two together.
 */
export const REFUSAL_REASONS = {
  CERTIFICATE_MISSING: { kind: 'UNAUTHENTICATED', exchange: true, retryable: false },
  CERTIFICATE_NOT_REGISTERED: { kind: 'UNAUTHENTICATED', exchange: true, retryable: false },
  CERTIFICATE_REVOKED: { kind: 'UNAUTHENTICATED', exchange: true, retryable: false },
  CERTIFICATE_EXPIRED: { kind: 'UNAUTHENTICATED', exchange: true, retryable: false },
  AGREEMENT_UNKNOWN: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  AGREEMENT_NOT_YOURS: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  AGREEMENT_SUSPENDED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  AGREEMENT_REVOKED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  AGREEMENT_NOT_YET_VALID: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  AGREEMENT_EXPIRED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  ASSESSMENT_MISSING: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  ASSESSMENT_EXPIRED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  ASSESSMENT_LEVEL_TOO_LOW: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  ASSESSMENT_FOR_OTHER_VERSION: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  SERVICE_NOT_GRANTED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  PURPOSE_UNKNOWN: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  PURPOSE_NOT_GRANTED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  FIELD_NOT_GRANTED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  CONSENT_MISSING: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  CONSENT_REVOKED: { kind: 'PERMISSION_DENIED', exchange: true, retryable: false },
  NOT_AN_OPERATOR: { kind: 'PERMISSION_DENIED', exchange: false, retryable: false },
  NOT_COMPETENT: { kind: 'PERMISSION_DENIED', exchange: false, retryable: false },
  CHANNEL_NOT_ALLOWED: { kind: 'PERMISSION_DENIED', exchange: false, retryable: false },
  CONSENT_NOT_CONFIRMED: { kind: 'PERMISSION_DENIED', exchange: false, retryable: false },
  EID_ASSERTION_INVALID: { kind: 'UNAUTHENTICATED', exchange: false, retryable: false },
  EID_UNAVAILABLE: { kind: 'UNAVAILABLE', exchange: false, retryable: true },
  RATE_LIMITED: { kind: 'RESOURCE_EXHAUSTED', exchange: true, retryable: true },
  QUOTA_EXCEEDED: { kind: 'RESOURCE_EXHAUSTED', exchange: true, retryable: false },
  THROTTLED: { kind: 'RESOURCE_EXHAUSTED', exchange: true, retryable: false },
  TOO_MANY_STREAMS: { kind: 'RESOURCE_EXHAUSTED', exchange: true, retryable: false },
  INVALID_REQUEST: { kind: 'INVALID_ARGUMENT', exchange: true, retryable: false },
  REASON_REQUIRED: { kind: 'INVALID_ARGUMENT', exchange: false, retryable: false },
  CITIZEN_NOT_FOUND: { kind: 'NOT_FOUND', exchange: true, retryable: false },
  RECORD_NOT_FOUND: { kind: 'NOT_FOUND', exchange: true, retryable: false },
  INVALID_TRANSITION: { kind: 'FAILED_PRECONDITION', exchange: false, retryable: false },
  CONFLICT: { kind: 'ABORTED', exchange: false, retryable: false },
  CURSOR_EXPIRED: { kind: 'OUT_OF_RANGE', exchange: true, retryable: false },
  JOURNAL_UNAVAILABLE: { kind: 'UNAVAILABLE', exchange: true, retryable: true },
} as const satisfies Record<string, { kind: RefusalKind; exchange: boolean; retryable: boolean }>;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

/** Whether `reason` is one of the table's (a client may meet codes of a newer hub). */
export function isRefusalReason(reason: string): reason is RefusalReason {
  return Object.hasOwn(REFUSAL_REASONS, reason);
}
