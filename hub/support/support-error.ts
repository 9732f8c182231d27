// The support desk's one error type: a code the gRPC layer and the CLI map, and a sentence.
import { DancuError } from '../../errors/dancu-error.ts';

export type SupportErrorCode = 'NOT_FOUND' | 'INVALID' | 'REASON_REQUIRED' | 'INVALID_TRANSITION' | 'NOT_AN_OFFICER' | 'NOT_COMPETENT';

export class SupportError extends DancuError<SupportErrorCode> {
  /** Each says the ticket or the request must change first. */
  readonly retryable = false;

  constructor(
    readonly code: SupportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SupportError';
  }
}
