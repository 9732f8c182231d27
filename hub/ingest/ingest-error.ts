/** An error of the ingest path, with whether retrying the same batch can help. */
export class IngestError extends Error {
  constructor(
    readonly code: 'store-contention' | 'store-unavailable' | 'kafka-unavailable',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
