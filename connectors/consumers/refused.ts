// Why the hub said no, as a consumer sees it: the gRPC status, the hub's reason code (trailing
// metadata `dancu-reason`) and whether trying again later can help. Every consumer decides
// "retry, report or stop" from this one value, never from the message text.

import { type ServiceError, status } from '@grpc/grpc-js';
import { DancuError } from '../../errors/dancu-error.ts';
import { REASON_METADATA_KEY } from '../../proto/metadata.ts';
import { isRefusalReason, REFUSAL_REASONS } from '../../proto/reasons.ts';

/** Failures of the call itself, when the hub gave no reason: the network or the hub's front door. */
const RETRYABLE_STATUSES: ReadonlySet<status> = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

export class Refused extends DancuError {
  override readonly name = 'Refused';

  constructor(
    /** The gRPC status code. */
    readonly status: status,
    /** The hub's reason code, e.g. CONSENT_MISSING; empty when the hub did not answer (network). */
    readonly reason: string,
    readonly details: string,
  ) {
    super(refusedMessage(status, reason, details));
  }

  /** The hub's reason code, or the status's name when the hub did not answer (e.g. UNAVAILABLE). */
  get code(): string {
    return this.reason || (status[this.status] ?? String(this.status));
  }

  /** Whether the same call may succeed later without anything changing on our side. */
  get retryable(): boolean {
    if (isRefusalReason(this.reason)) return REFUSAL_REASONS[this.reason].retryable;
    return RETRYABLE_STATUSES.has(this.status);
  }

  /** What a result line says about the refusal. */
  get report(): { status: string; reason: string; detail: string } {
    return { status: status[this.status] ?? String(this.status), reason: this.reason, detail: this.details };
  }

  /** A sentence saying what a person can do about it, for refusals that stop a consumer. */
  get advice(): string {
    if (this.status === status.UNAUTHENTICATED)
      return 'check --cert and --key: the certificate must be issued by the hub (`dancu pki issue`) and recorded for this system';
    if (this.reason.startsWith('AGREEMENT_'))
      return 'the connection agreement is not usable now; ask the population data agency about its status (`dancu registry requests`)';
    if (this.reason.startsWith('ASSESSMENT_'))
      return "this system's security assessment does not cover it; record a current level-3 assessment of this version";
    if (this.reason === 'CURSOR_EXPIRED')
      return 'the stored cursor is older than the hub keeps: rebuild the replica (BatchLookup) and delete its replica_state document to follow from now';
    if (this.reason.endsWith('_NOT_GRANTED') || this.reason === 'PURPOSE_UNKNOWN')
      return 'the call asks for more than the agreement grants; check --purpose and the fields against the agreement';
    return this.retryable ? 'the hub could not answer for now; try again later' : 'see the reason above';
  }

  static from(error: ServiceError): Refused {
    const reason = error.metadata?.get(REASON_METADATA_KEY)[0];
    return new Refused(error.code, reason === undefined ? '' : String(reason), error.details || error.message);
  }
}

function refusedMessage(code: status, reason: string, details: string): string {
  return `${status[code] ?? code}${reason ? ` ${reason}` : ''}: ${details}`;
}
