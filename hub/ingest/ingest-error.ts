import { DancuError } from '../../errors/dancu-error.ts';

export type IngestErrorCode = 'store-contention' | 'store-unavailable' | 'kafka-unavailable';

/** An error of the ingest path, with whether retrying the same batch can help. */
export class IngestError extends DancuError<IngestErrorCode> {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
