// Why the hub says no. Every refusal is a value with a machine-readable reason and a sentence,
// mapped to a gRPC status in exactly one place (grpc-status.ts) and journaled like a success.
import { DancuError } from '../../errors/dancu-error.ts';

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
 * Every reason code: the status family it maps to, and whether the Exchange service can send it
 * (the others are the Registry's and Operations' own). Clients switch on the code. The reason
 * table atop proto/dancu/exchange/v1/exchange.proto lists exactly the Exchange's, with the same
 * statuses; refusal.test.ts holds the two together.
 */
export const REFUSAL_REASONS = {
  CERTIFICATE_MISSING: { kind: 'UNAUTHENTICATED', exchange: true },
  CERTIFICATE_NOT_REGISTERED: { kind: 'UNAUTHENTICATED', exchange: true },
  CERTIFICATE_REVOKED: { kind: 'UNAUTHENTICATED', exchange: true },
  CERTIFICATE_EXPIRED: { kind: 'UNAUTHENTICATED', exchange: true },
  AGREEMENT_UNKNOWN: { kind: 'PERMISSION_DENIED', exchange: true },
  AGREEMENT_NOT_YOURS: { kind: 'PERMISSION_DENIED', exchange: true },
  AGREEMENT_SUSPENDED: { kind: 'PERMISSION_DENIED', exchange: true },
  AGREEMENT_REVOKED: { kind: 'PERMISSION_DENIED', exchange: true },
  AGREEMENT_NOT_YET_VALID: { kind: 'PERMISSION_DENIED', exchange: true },
  AGREEMENT_EXPIRED: { kind: 'PERMISSION_DENIED', exchange: true },
  ASSESSMENT_MISSING: { kind: 'PERMISSION_DENIED', exchange: true },
  ASSESSMENT_EXPIRED: { kind: 'PERMISSION_DENIED', exchange: true },
  ASSESSMENT_LEVEL_TOO_LOW: { kind: 'PERMISSION_DENIED', exchange: true },
  ASSESSMENT_FOR_OTHER_VERSION: { kind: 'PERMISSION_DENIED', exchange: true },
  SERVICE_NOT_GRANTED: { kind: 'PERMISSION_DENIED', exchange: true },
  PURPOSE_UNKNOWN: { kind: 'PERMISSION_DENIED', exchange: true },
  PURPOSE_NOT_GRANTED: { kind: 'PERMISSION_DENIED', exchange: true },
  FIELD_NOT_GRANTED: { kind: 'PERMISSION_DENIED', exchange: true },
  CONSENT_MISSING: { kind: 'PERMISSION_DENIED', exchange: true },
  CONSENT_REVOKED: { kind: 'PERMISSION_DENIED', exchange: true },
  NOT_AN_OPERATOR: { kind: 'PERMISSION_DENIED', exchange: false },
  NOT_COMPETENT: { kind: 'PERMISSION_DENIED', exchange: false },
  CHANNEL_NOT_ALLOWED: { kind: 'PERMISSION_DENIED', exchange: false },
  CONSENT_NOT_CONFIRMED: { kind: 'PERMISSION_DENIED', exchange: false },
  EID_ASSERTION_INVALID: { kind: 'UNAUTHENTICATED', exchange: false },
  EID_UNAVAILABLE: { kind: 'UNAVAILABLE', exchange: false },
  RATE_LIMITED: { kind: 'RESOURCE_EXHAUSTED', exchange: true },
  QUOTA_EXCEEDED: { kind: 'RESOURCE_EXHAUSTED', exchange: true },
  THROTTLED: { kind: 'RESOURCE_EXHAUSTED', exchange: true },
  TOO_MANY_STREAMS: { kind: 'RESOURCE_EXHAUSTED', exchange: true },
  INVALID_REQUEST: { kind: 'INVALID_ARGUMENT', exchange: true },
  REASON_REQUIRED: { kind: 'INVALID_ARGUMENT', exchange: false },
  CITIZEN_NOT_FOUND: { kind: 'NOT_FOUND', exchange: true },
  RECORD_NOT_FOUND: { kind: 'NOT_FOUND', exchange: true },
  INVALID_TRANSITION: { kind: 'FAILED_PRECONDITION', exchange: false },
  CONFLICT: { kind: 'ABORTED', exchange: false },
  CURSOR_EXPIRED: { kind: 'OUT_OF_RANGE', exchange: true },
  JOURNAL_UNAVAILABLE: { kind: 'UNAVAILABLE', exchange: true },
} as const satisfies Record<string, { kind: RefusalKind; exchange: boolean }>;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

export class Refusal extends DancuError<RefusalReason> {
  override readonly name = 'Refusal';
  readonly kind: RefusalKind;

  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.kind = REFUSAL_REASONS[reason].kind;
  }

  /** The reason is the refusal's code. */
  get code(): RefusalReason {
    return this.reason;
  }

  /** Only waiting helps: the hub (or what it needs) is unavailable for now, or a rate limit. */
  get retryable(): boolean {
    return this.kind === 'UNAVAILABLE' || this.reason === 'RATE_LIMITED';
  }
}

export function refuse(reason: RefusalReason, message: string): never {
  throw new Refusal(reason, message);
}
