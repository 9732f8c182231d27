// Why the hub says no. Every refusal is a value with a machine-readable reason and a sentence,
// mapped to a gRPC status in exactly one place (grpc-status.ts) and journaled like a success.
import { DancuError } from '../../errors/dancu-error.ts';
import { REFUSAL_REASONS, type RefusalKind, type RefusalReason } from '../../proto/reasons.ts';

export class Refusal extends DancuError<RefusalReason> {
  override readonly name = 'Refusal';
  readonly kind: RefusalKind;

  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.kind = REFUSAL_REASONS[reason].kind;
  }

  /** The reason is the refusal's code. */
  get code(): RefusalReason {
    return this.reason;
  }

  /** Only waiting helps (the table says which): the hub, or what it needs, is unavailable for now, or a rate limit. */
  get retryable(): boolean {
    return REFUSAL_REASONS[this.reason].retryable;
  }
}

export function refuse(reason: RefusalReason, message: string): never {
  throw new Refusal(reason, message);
}
