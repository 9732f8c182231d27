// The gate every source event passes before the hub merges it (hot path: compile nothing here,
// touch each string at most once). Order: size → JSON → NFC → envelope → source → type → payload → ids
// → plausibility (text, dates; schemas/plausibility.ts).

import { describeError } from './describe-error.ts';
import { checkPersonalId, type PersonalIdProblem } from './personal-id.ts';
import { checkPlausible, DEFAULT_PLAUSIBILITY, type PlausibilityRules, textMayHoldControls } from './plausibility.ts';
import { isProvinceCode } from './provinces.ts';
import type { SourceName } from './sources.ts';
import type { DeadLetter, SourceEvent } from './types.ts';
import { PAYLOAD_VALIDATORS, validateEnvelope } from './validators.ts';

/** Upper bound for one record's value; larger ones are dead-lettered as `message-too-large`. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** Why an event was refused; the dead-letter schema's `reason` is the one list of them. */
export type RejectReason = DeadLetter['reason'];

export type EventVerdict = { ok: true; event: SourceEvent } | { ok: false; reason: RejectReason; detail: string; path?: string };

export interface ValidateContext {
  /** The source whose topic the record arrived on; the event must claim the same source. */
  topicSource?: SourceName;
  /** The plausibility rules (schemas/plausibility.ts); the defaults when absent. */
  plausibility?: PlausibilityRules;
  /** The hub's clock, for "not in the future"; now when absent. */
  now?: Date;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself, to find what is outside it
const NON_ASCII = /[^\x00-\x7f]/;
const UNICODE_ESCAPE = /\\u/;

/** Payload fields holding another citizen's personal id. */
const RELATED_ID_FIELDS = ['fatherId', 'motherId', 'spousePersonalId', 'formerSpousePersonalId', 'headPersonalId'] as const;

function reject(reason: RejectReason, detail: string, path?: string): EventVerdict {
  return path === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, path };
}

function normaliseDeep(value: unknown): unknown {
  if (typeof value === 'string') return NON_ASCII.test(value) ? value.normalize('NFC') : value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normaliseDeep(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = normaliseDeep(record[key]);
  }
  return value;
}

/**
 * Parses and NFC-normalises a record value. NFC is applied to the raw text when it holds no
 * \u escapes: JSON's structural characters never compose with a neighbour, so normalising the
 * text equals normalising every string in it, at one native call.
 */
function parseNormalised(text: string): unknown {
  if (UNICODE_ESCAPE.test(text)) return normaliseDeep(JSON.parse(text));
  return JSON.parse(NON_ASCII.test(text) ? text.normalize('NFC') : text);
}

/** Validates one record value from a source topic. Pure; never throws. */
export function validateEvent(value: Buffer | string, context: ValidateContext = {}): EventVerdict {
  const bytes = typeof value === 'string' ? (value.length * 3 <= MAX_EVENT_BYTES ? value.length : Buffer.byteLength(value)) : value.length;
  if (bytes > MAX_EVENT_BYTES) {
    return reject('message-too-large', `the event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes (64 KiB)`);
  }
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = parseNormalised(text);
  } catch (error) {
    return reject('malformed-json', `the event is not valid JSON: ${(error as Error).message}`);
  }
  return validateParsedEvent(parsed, context, !textMayHoldControls(text));
}

/**
 * The checks after parsing, for an already-parsed, already-NFC value (e.g. produced in-process
 * by the simulator). `validateEvent` is the entry point for bytes from Kafka.
 */
export function validateParsedEvent(parsed: unknown, context: ValidateContext = {}, textScreened = false): EventVerdict {
  if (!validateEnvelope(parsed)) {
    const error = validateEnvelope.errors?.[0];
    if (!error) return reject('schema-violation', 'the event envelope is invalid');
    const { path, detail } = describeError(error);
    if (error.instancePath === '' && error.keyword === 'type') return reject('schema-violation', 'the event must be a JSON object', '');
    return reject(error.instancePath === '/source' && error.keyword === 'enum' ? 'unknown-source' : 'schema-violation', detail, path);
  }
  const event = parsed;
  if (context.topicSource !== undefined && event.source !== context.topicSource) {
    return reject(
      'unknown-source',
      `the event says its source is "${event.source}" but it arrived on the ${context.topicSource} topic`,
      '/source',
    );
  }
  const validatePayload = PAYLOAD_VALIDATORS.get(event.source)?.get(event.type);
  if (!validatePayload) {
    const known = [...(PAYLOAD_VALIDATORS.get(event.source)?.keys() ?? [])].join(', ');
    return reject('unknown-type', `source ${event.source} has no event type "${event.type}"; its types are: ${known}`, '/type');
  }
  if (!validatePayload(event.payload)) {
    const error = validatePayload.errors?.[0];
    if (!error) return reject('schema-violation', `the ${event.type} payload is invalid`, '/payload');
    const { path, detail } = describeError(error, '/payload');
    return reject('schema-violation', `${event.type}: ${detail}`, path);
  }
  const inconsistency = checkIds(event as SourceEvent);
  if (inconsistency) return reject('id-inconsistent', inconsistency.detail, inconsistency.path);
  const implausible = checkPlausible(
    event as SourceEvent,
    context.plausibility ?? DEFAULT_PLAUSIBILITY,
    context.now ?? new Date(),
    textScreened,
  );
  if (implausible) return reject(implausible.reason, implausible.detail, implausible.path);
  return { ok: true, event: event as SourceEvent };
}

function describeProblems(problems: PersonalIdProblem[]): string {
  return problems.map((p) => p.message).join('; ');
}

function checkIds(event: SourceEvent): { path: string; detail: string } | undefined {
  const facts =
    event.type === 'birth-registered' || event.type === 'card-issued' || event.type === 'card-renewed'
      ? { dateOfBirth: event.payload.dateOfBirth, sex: event.payload.sex }
      : {};
  const problems = checkPersonalId(event.personalId, facts);
  if (problems.length > 0) return { path: '/personalId', detail: describeProblems(problems) };

  if (
    (event.type === 'card-issued' || event.type === 'card-renewed' || event.type === 'card-reported-lost') &&
    event.payload.cardNumber !== event.personalId
  ) {
    return {
      path: '/payload/cardNumber',
      detail: `card number ${event.payload.cardNumber} differs from personal id ${event.personalId}; a căn cước card number is the holder's personal id`,
    };
  }
  const payload = event.payload as unknown as Record<string, unknown>;
  for (const field of RELATED_ID_FIELDS) {
    const related = payload[field];
    if (typeof related !== 'string') continue;
    if (!isProvinceCode(related.slice(0, 3))) {
      return {
        path: `/payload/${field}`,
        detail: `${field} ${related} starts with ${related.slice(0, 3)}, which is not one of the 63 province codes`,
      };
    }
    if (related === event.personalId && field !== 'headPersonalId') {
      return { path: `/payload/${field}`, detail: `${field} is the citizen's own personal id ${related}` };
    }
  }
  return undefined;
}
