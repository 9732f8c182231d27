// Why the hub says no. Every refusal is a value with a machine-readable reason and a sentence,
// mapped to a gRPC status in exactly one place (grpc-status.ts) and journaled like a success.

/** The gRPC status family a refusal maps to. */
export type RefusalKind = 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'RESOURCE_EXHAUSTED' | 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'OUT_OF_RANGE' | 'FAILED_PRECONDITION' | 'ABORTED' | 'UNAVAILABLE';

/** Every reason code, with the status family it belongs to. Clients switch on the code. */
export const REFUSAL_REASONS = {
  CERTIFICATE_MISSING: 'UNAUTHENTICATED',
  SYSTEM_UNKNOWN: 'UNAUTHENTICATED',
  CERTIFICATE_NOT_REGISTERED: 'UNAUTHENTICATED',
  AGREEMENT_UNKNOWN: 'PERMISSION_DENIED',
  AGREEMENT_NOT_YOURS: 'PERMISSION_DENIED',
  AGREEMENT_SUSPENDED: 'PERMISSION_DENIED',
  AGREEMENT_REVOKED: 'PERMISSION_DENIED',
  AGREEMENT_NOT_YET_VALID: 'PERMISSION_DENIED',
  AGREEMENT_EXPIRED: 'PERMISSION_DENIED',
  ASSESSMENT_MISSING: 'PERMISSION_DENIED',
  ASSESSMENT_EXPIRED: 'PERMISSION_DENIED',
  ASSESSMENT_LEVEL_TOO_LOW: 'PERMISSION_DENIED',
  ASSESSMENT_FOR_OTHER_VERSION: 'PERMISSION_DENIED',
  SERVICE_NOT_GRANTED: 'PERMISSION_DENIED',
  PURPOSE_UNKNOWN: 'PERMISSION_DENIED',
  PURPOSE_NOT_GRANTED: 'PERMISSION_DENIED',
  FIELD_NOT_GRANTED: 'PERMISSION_DENIED',
  CONSENT_MISSING: 'PERMISSION_DENIED',
  CONSENT_REVOKED: 'PERMISSION_DENIED',
  NOT_AN_OPERATOR: 'PERMISSION_DENIED',
  NOT_COMPETENT: 'PERMISSION_DENIED',
  RATE_LIMITED: 'RESOURCE_EXHAUSTED',
  QUOTA_EXCEEDED: 'RESOURCE_EXHAUSTED',
  THROTTLED: 'RESOURCE_EXHAUSTED',
  INVALID_REQUEST: 'INVALID_ARGUMENT',
  REASON_REQUIRED: 'INVALID_ARGUMENT',
  CITIZEN_NOT_FOUND: 'NOT_FOUND',
  RECORD_NOT_FOUND: 'NOT_FOUND',
  INVALID_TRANSITION: 'FAILED_PRECONDITION',
  CONFLICT: 'ABORTED',
  CURSOR_EXPIRED: 'OUT_OF_RANGE',
  JOURNAL_UNAVAILABLE: 'UNAVAILABLE',
} as const satisfies Record<string, RefusalKind>;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

export class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly kind: RefusalKind;

  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.kind = REFUSAL_REASONS[reason];
  }
}

export function refuse(reason: RefusalReason, message: string): never {
  throw new Refusal(reason, message);
}
