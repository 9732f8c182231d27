// Every failure of the local stack is one of these: a code a script can test, a sentence that
// tells a person what to do next, and whether simply trying again could help.
import { DancuError } from '../../errors/dancu-error.ts';

export type StackErrorCode =
  | 'tool-missing'
  | 'endpoint-invalid'
  | 'port-in-use'
  | 'fetch-failed'
  | 'build-failed'
  | 'start-failed'
  | 'not-ready'
  | 'stop-failed'
  | 'tool-failed'
  | 'busy';

export class StackError extends DancuError<StackErrorCode> {
  override readonly name = 'StackError';

  constructor(
    readonly code: StackErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
