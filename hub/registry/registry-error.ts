// The registry's one error type: a code the gRPC layer maps to a status, and a sentence for a person.
// None of them is retryable as is: each says the request or the registry state must change first.
import { DancuError } from '../../errors/dancu-error.ts';

export type RegistryErrorCode =
  | 'NOT_FOUND' // no such request, agreement, officer or system
  | 'INVALID' // the input breaks a rule of its shape (unknown field, purpose, service, bad locality…)
  | 'CHANNEL_NOT_ALLOWED' // the requester's category may not use this channel or service (R18, R10; channel-rules.ts)
  | 'NOT_COMPETENT' // the officer is not the competent authority for this requester (R17)
  | 'REASON_REQUIRED' // a refusal, suspension or revocation without a written reason (R11, R19)
  | 'INVALID_TRANSITION' // the lifecycle does not allow this step from the current status
  | 'CONFLICT' // the id is taken by something else, or another officer acted first
  | 'NOT_CONFIRMED'; // a consent change without the citizen's valid signed confirmation (R12)

export class RegistryError extends DancuError<RegistryErrorCode> {
  readonly retryable = false;

  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** A rule's answer: the value, or the reasons it was refused (each one sentence). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** The value of a check, or an INVALID error listing every problem. */
export function orInvalid<T>(checked: Checked<T>, what: string): T {
  if (checked.ok) return checked.value;
  throw new RegistryError('INVALID', `${what}: ${checked.problems.join('; ')}`);
}
