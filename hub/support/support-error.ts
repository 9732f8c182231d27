// The support desk's one error type: a code the gRPC layer and the CLI map, and a sentence.
export type SupportErrorCode = 'NOT_FOUND' | 'INVALID' | 'REASON_REQUIRED' | 'INVALID_TRANSITION' | 'NOT_AN_OFFICER' | 'NOT_COMPETENT';

export class SupportError extends Error {
  constructor(
    readonly code: SupportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SupportError';
  }
}
