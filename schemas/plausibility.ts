// Plausibility: an event can be well-formed and still impossible — dated in the future, before
// its citizen was born or before any record we hold could be, or carrying invisible characters
// that make a name display as something else. These checks are pure and depend only on the
// event and the hub's clock, never on what the store holds: a record's verdict must not change
// with the order events arrive in, or a replay after a crash could dead-letter what was applied.
// So "before birth" uses the birth year the personal id encodes (always known) and the date of
// birth the event itself states; the store's date of birth is not consulted.
import { parsePersonalId } from './personal-id.ts';
import type { SourceEvent } from './source-event.ts';
import type { DeadLetter } from './types.ts';

export interface PlausibilityRules {
  /** How far past the hub's clock a date may be (clocks drift; a source's may run ahead). */
  futureToleranceMs: number;
  /** No event may take effect or be recorded before this instant, whoever it is about. */
  floor: Date;
}

export const DEFAULT_PLAUSIBILITY: PlausibilityRules = {
  futureToleranceMs: 5 * 60_000,
  floor: new Date('1900-01-01T00:00:00+07:00'),
};

export interface Implausible {
  reason: Extract<DeadLetter['reason'], 'future-dated' | 'before-birth' | 'before-floor' | 'invalid-text'>;
  detail: string;
  path: string;
}

/** Payload dates that state something that already happened, so can never lie in the future. */
const PAST_DATES = ['dateOfBirth', 'dateOfDeath', 'decidedOn', 'reportedOn'] as const;

/** C0/C1 controls (NUL, ESC, newline …) and the bidirectional controls (RLO, LRI, RLM …). */
const INVISIBLE_CONTROL = /[\p{Cc}\p{Bidi_Control}]/u;

/**
 * What in a record's raw JSON text could become a control or bidirectional character once
 * parsed: the characters themselves (raw C0 controls cannot stand inside a JSON string) or an
 * escape. Text without any of them needs no walk through its strings (hot path).
 */
const SUSPECT_TEXT = /[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\\[bfnrtu]/;

export function textMayHoldControls(json: string): boolean {
  return SUSPECT_TEXT.test(json);
}

/** `screened`: the raw text was checked with textMayHoldControls and found clean. */
export function checkPlausible(event: SourceEvent, rules: PlausibilityRules, now: Date, screened = false): Implausible | undefined {
  return (screened ? undefined : checkText(event)) ?? checkDates(event, rules, now);
}

function checkText(value: unknown, path = ''): Implausible | undefined {
  if (typeof value === 'string') {
    const found = INVISIBLE_CONTROL.exec(value);
    if (!found) return undefined;
    const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return {
      reason: 'invalid-text',
      detail: `the text holds the invisible control character U+${code} at position ${found.index}; names and free text may hold no control or bidirectional-override characters`,
      path,
    };
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = checkText(item, `${path}/${index}`);
      if (problem) return problem;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = checkText(item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

interface DatedValue {
  path: string;
  text: string;
  /** The first instant the value stands for (a calendar date starts at midnight in Vietnam). */
  at: number;
}

function checkDates(event: SourceEvent, rules: PlausibilityRules, now: Date): Implausible | undefined {
  const payload = event.payload as unknown as Record<string, unknown>;
  const stamps: DatedValue[] = [
    { path: '/occurredAt', text: event.occurredAt, at: Date.parse(event.occurredAt) },
    { path: '/recordedAt', text: event.recordedAt, at: Date.parse(event.recordedAt) },
  ];
  const pastDates = PAST_DATES.flatMap((field) => {
    const text = payload[field];
    return typeof text === 'string' ? [{ path: `/payload/${field}`, text, at: vietnamMidnight(text) }] : [];
  });

  const latest = now.getTime() + rules.futureToleranceMs;
  for (const dated of [...stamps, ...pastDates]) {
    if (dated.at > latest) {
      return {
        reason: 'future-dated',
        detail: `${dated.path.slice(1)} ${dated.text} is in the future (the hub's clock says ${now.toISOString()}, tolerance ${rules.futureToleranceMs / 1000} s); a source states what has happened, never what will`,
        path: dated.path,
      };
    }
  }
  for (const dated of stamps) {
    if (dated.at < rules.floor.getTime()) {
      return {
        reason: 'before-floor',
        detail: `${dated.path.slice(1)} ${dated.text} is before ${rules.floor.toISOString()}, the earliest date the hub accepts for any event`,
        path: dated.path,
      };
    }
  }
  const birth = birthOf(event);
  if (birth) {
    for (const dated of [stamps[0]!, ...pastDates.filter((date) => date.path !== '/payload/dateOfBirth')]) {
      if (dated.at < birth.at) {
        return {
          reason: 'before-birth',
          detail: `${dated.path.slice(1)} ${dated.text} is before the citizen's birth (${birth.what}); an event about a citizen cannot take effect before they were born`,
          path: dated.path,
        };
      }
    }
  }
  return undefined;
}

/** The earliest the citizen can have been born: the event's own date of birth, else the id's birth year. */
function birthOf(event: SourceEvent): { at: number; what: string } | undefined {
  const stated = (event.payload as unknown as Record<string, unknown>).dateOfBirth;
  if (typeof stated === 'string') return { at: vietnamMidnight(stated), what: `born ${stated}, as the event states` };
  const year = parsePersonalId(event.personalId)?.birthYear;
  if (year === undefined) return undefined;
  return { at: vietnamMidnight(`${year}-01-01`), what: `born in ${year}, as personal id ${event.personalId} encodes` };
}

/** Midnight at the start of a YYYY-MM-DD day in Vietnam (UTC+7, no daylight saving). */
function vietnamMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00+07:00`);
}
