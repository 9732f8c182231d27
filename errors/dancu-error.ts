// The one shape of every error dancu throws on purpose: a `code` a program branches on (each
// module declares its own union: StackErrorCode, RegistryErrorCode, RefusalReason…), a `message`
// that tells a person what to do, and whether trying again unchanged can help (`retryable`).
// Each error is mapped in exactly one place to what leaves the process:
//   a gRPC status and reason  hub/exchange/grpc-status.ts (asRefusal, toServiceError)
//   a CLI exit code           cli/exit-code.ts (exitCodeOf)
//   a rejected record's reason  connectors/sdk/mapping-error.ts (rejectionOf); the hub's dead
//     letters never come from an error: a record's problems are values (hub/ingest/dead-letter.ts),
//     and an error while applying a slice leaves it uncommitted, to be retried.
// errors/dancu-error.test.ts keeps every `extends Error` in the tree on this base.

export abstract class DancuError<Code extends string = string> extends Error {
  abstract readonly code: Code;
  abstract readonly retryable: boolean;
}
