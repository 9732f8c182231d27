// Every failure of the journal is one of these: a code the hub can branch on, a sentence that
// tells a person what to do, and whether trying again could help.
import { DancuError } from '../../errors/dancu-error.ts';

export type JournalErrorCode =
  /** The entry could not be made durable: the hub must refuse the act rather than answer unlogged. */
  | 'journal-unavailable'
  /** The journal was opened with settings that break R35. */
  | 'journal-misconfigured'
  /** The entry itself is unacceptable (a bug in the caller, not the store). */
  | 'entry-invalid'
  /** The journal does not verify, so nothing may be signed over it (retention). */
  | 'journal-tampered';

export class JournalError extends DancuError<JournalErrorCode> {
  override readonly name: string = 'JournalError';

  constructor(
    readonly code: JournalErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The append was not made durable; every caller of the batch gets this, and nothing may be answered. */
export class JournalUnavailable extends JournalError {
  override readonly name = 'JournalUnavailable';

  constructor(message: string, cause?: unknown) {
    super('journal-unavailable', message, true, { cause });
  }
}
