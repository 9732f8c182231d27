// Domain values to the wire's messages (proto/gen), in one place.
import type { FieldValue } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import type { DisclosedField } from './citizen-view.ts';

export function toWireField(field: DisclosedField): FieldValue {
  return {
    field: field.field,
    value: field.value,
    source: field.source,
    effectiveAt: field.effectiveAt,
    authoritative: field.authoritative,
  };
}
