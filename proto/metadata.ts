// Metadata keys of the dancu gRPC API, as the .proto files document them: the one place both the
// hub and its clients (the consumer connectors) take them from.

/**
 * Trailing metadata key carrying the machine-readable reason of a refusal (exchange.proto's reason
 * table); the status details start with the same code.
 */
export const REASON_METADATA_KEY = 'dancu-reason';
