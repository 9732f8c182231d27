// The one place where an error becomes the exit code of a dancu command. A script branches on
// the family, a person reads the message (`dancu: <code>: <message>`); README "Exit codes" and
// `dancu --help` list the same table. A command's own verdict (journal verify finding a broken
// chain, a consumer run with refused lines) still exits 1, as documented with the command.
import { CommanderError } from 'commander';
import { Refused } from '../connectors/consumers/refused.ts';
import { MappingError } from '../connectors/sdk/mapping-error.ts';
import { StackError, type StackErrorCode } from '../deploy/local/stack-error.ts';
import { DancuError } from '../errors/dancu-error.ts';
import { InvalidSearch } from '../hub/admin/journal-search.ts';
import { TraceUnavailable } from '../hub/admin/trace-view.ts';
import { asRefusal } from '../hub/exchange/grpc-status.ts';
import { Refusal } from '../hub/exchange/refusal.ts';
import { IngestError, type IngestErrorCode } from '../hub/ingest/ingest-error.ts';
import { JournalError, type JournalErrorCode } from '../hub/journal/journal-error.ts';
import { HealthThresholdsError } from '../hub/operations/health-thresholds.ts';
import { SmsGatewayError, type SmsGatewayErrorCode } from '../hub/sms/sms-gateway.ts';
import { StoreError } from '../hub/store/population-store.ts';
import { PositionExpired } from '../kafka/topic-tail.ts';
import type { RefusalKind } from '../proto/reasons.ts';

export const EXIT_CODES = {
  /** Anything else: a failure of no family below, or a bug (the message says which). */
  failed: 1,
  /** The command line, the input or the configuration is wrong: fix it and run again. */
  usage: 2,
  /** Not permitted: not authenticated, not competent, no agreement or consent for it. */
  refused: 3,
  /** What the command names (a request, a ticket, a citizen, a position) does not exist. */
  notFound: 4,
  /** EX_UNAVAILABLE: a service or tool it needs is missing or does not answer. */
  unavailable: 69,
  /** EX_TEMPFAIL: temporary; running it again as is can help (also a stop that timed out: cli/shutdown.ts). */
  tryAgain: 75,
} as const;

/** The table `dancu --help` ends with. */
export const EXIT_CODES_HELP = [
  'Exit codes (errors print as `dancu: <code>: <message>`):',
  `  0   done`,
  `  ${EXIT_CODES.failed}   failed: a command's own verdict (e.g. \`journal verify\` finding a break), or an unexpected error`,
  `  ${EXIT_CODES.usage}   usage: the command line, the input or the configuration is wrong`,
  `  ${EXIT_CODES.refused}   refused: not authenticated, not competent, or not granted`,
  `  ${EXIT_CODES.notFound}   not found: what the command names does not exist`,
  `  ${EXIT_CODES.unavailable}  unavailable (EX_UNAVAILABLE): a service or tool it needs is missing or does not answer`,
  `  ${EXIT_CODES.tryAgain}  try again (EX_TEMPFAIL): temporary, run it again as is; also a stop that did not finish in time`,
].join('\n');

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const { failed, usage, refused, notFound, unavailable, tryAgain } = EXIT_CODES;

/** A refusal the hub would send, by its gRPC status family. */
const EXIT_OF_KIND: Record<RefusalKind, ExitCode> = {
  UNAUTHENTICATED: refused,
  PERMISSION_DENIED: refused,
  RESOURCE_EXHAUSTED: refused,
  INVALID_ARGUMENT: usage,
  OUT_OF_RANGE: usage,
  NOT_FOUND: notFound,
  FAILED_PRECONDITION: failed,
  ABORTED: failed,
  UNAVAILABLE: unavailable,
};

const EXIT_OF_STACK: Record<StackErrorCode, ExitCode> = {
  'tool-missing': unavailable,
  'endpoint-invalid': usage,
  'port-in-use': unavailable,
  'fetch-failed': unavailable,
  'build-failed': failed,
  'start-failed': failed,
  'not-ready': unavailable,
  'stop-failed': failed,
  'tool-failed': failed,
  busy: tryAgain,
};

const EXIT_OF_JOURNAL: Record<JournalErrorCode, ExitCode> = {
  'journal-unavailable': unavailable,
  'journal-misconfigured': usage,
  'entry-invalid': failed,
  'journal-tampered': failed,
};

const EXIT_OF_INGEST: Record<IngestErrorCode, ExitCode> = {
  'store-contention': tryAgain,
  'store-unavailable': unavailable,
  'kafka-unavailable': unavailable,
};

const EXIT_OF_SMS: Record<SmsGatewayErrorCode, ExitCode> = {
  'smsc-unreachable': unavailable,
  'bind-refused': refused,
  'answer-refused': failed,
};

/** Commander's own errors that mean "the command line is wrong". */
const USAGE_ERRORS = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
  'commander.excessArguments',
  'commander.invalidArgument',
]);

/** The exit code of a command that failed with `error`. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return USAGE_ERRORS.has(error.code) ? usage : error.exitCode;
  // A command that adds context to one of ours keeps it as the cause: the cause's family counts.
  if (!(error instanceof DancuError)) return error instanceof Error && error.cause !== undefined ? exitCodeOf(error.cause) : failed;
  if (error.retryable) return tryAgain;
  if (error instanceof Refused) return isRefusalKind(error.report.status) ? EXIT_OF_KIND[error.report.status] : failed;
  const refusal = asRefusal(error);
  if (refusal instanceof Refusal) return EXIT_OF_KIND[refusal.kind];
  if (error instanceof StackError) return EXIT_OF_STACK[error.code];
  if (error instanceof JournalError) return EXIT_OF_JOURNAL[error.code];
  if (error instanceof IngestError) return EXIT_OF_INGEST[error.code];
  if (error instanceof SmsGatewayError) return EXIT_OF_SMS[error.code];
  if (error instanceof StoreError) return usage; // a store the hub cannot write safely: point it at another
  if (error instanceof TraceUnavailable) return error.status === 404 ? notFound : error.status === 400 ? usage : unavailable;
  if (error instanceof HealthThresholdsError || error instanceof InvalidSearch || error instanceof MappingError) return usage;
  if (error instanceof PositionExpired) return notFound;
  return failed;
}

function isRefusalKind(name: string): name is RefusalKind {
  return Object.hasOwn(EXIT_OF_KIND, name);
}

/** What the command prints on stderr for `error`: our errors with their code, anything else as it says. */
export function errorLine(error: unknown): string {
  if (error instanceof DancuError && !(error instanceof Refused)) return `dancu: ${error.code}: ${error.message}`;
  return `dancu: ${error instanceof Error ? error.message : String(error)}`;
}
