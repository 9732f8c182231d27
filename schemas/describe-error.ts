// Turns an Ajv error into a JSON pointer and a sentence a sectoral IT person can act on.
import type { ErrorObject } from 'ajv';

const FORMAT_TEXT: Record<string, string> = {
  date: 'a calendar date written YYYY-MM-DD (e.g. 1990-04-30)',
  'date-time': 'a date and time with its offset, e.g. 2024-05-01T08:30:00+07:00',
  uuid: 'a UUID such as 3f2b8c1e-5d4a-4f7b-9c1d-2e6f8a9b0c3d',
};

const PATTERN_TEXT: Record<string, string> = {
  '^[0-9]{12}$': 'exactly 12 digits (a personal identification number)',
  '^[0-9]{3}$': 'a 3-digit province code such as 001',
  '^[0-9]{5}$': 'a 5-digit health-facility code such as 01001',
  '^[A-Z]{2}[0-9]{13}$': 'two capital letters followed by 13 digits (e.g. DN4010123456789)',
  '^[0-9A-Z]{6,20}$': '6 to 20 digits or capital letters',
  '^[a-z][a-z0-9]*(-[a-z0-9]+)*$': 'kebab-case, e.g. birth-registered',
};

const TYPE_TEXT: Record<string, string> = {
  string: 'a string',
  object: 'an object',
  array: 'an array',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function where(pointer: string): string {
  if (pointer === '') return 'the event';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${shown(value)}`;
}

/** `prefix` is the pointer of the validated value inside the event ('' or '/payload'). */
export function describeError(error: ErrorObject, prefix = ''): { path: string; detail: string } {
  const at = prefix + error.instancePath;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      return { path: `${at}/${escapePointer(missing)}`, detail: `${where(at)} lacks the required field "${missing}"` };
    }
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      return {
        path: `${at}/${escapePointer(extra)}`,
        detail: `${where(at)} has a field "${extra}" that is not part of the schema (check its spelling)`,
      };
    }
    case 'format': {
      const format = String(p.format);
      return { path: at, detail: `${where(at)} must be ${FORMAT_TEXT[format] ?? `in ${format} format`}, got ${shown(error.data)}` };
    }
    case 'pattern': {
      const pattern = String(p.pattern);
      return { path: at, detail: `${where(at)} must be ${PATTERN_TEXT[pattern] ?? `text matching ${pattern}`}, got ${shown(error.data)}` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path: at, detail: `${where(at)} must be one of ${allowed}, got ${shown(error.data)}` };
    }
    case 'const':
      return { path: at, detail: `${where(at)} must be ${JSON.stringify(p.allowedValue)}, got ${shown(error.data)}` };
    case 'type': {
      const expected = String(p.type)
        .split(',')
        .map((t) => TYPE_TEXT[t] ?? t)
        .join(' or ');
      return { path: at, detail: `${where(at)} must be ${expected}, got ${kindOf(error.data)}` };
    }
    case 'minLength':
      return {
        path: at,
        detail: p.limit === 1 ? `${where(at)} must not be empty` : `${where(at)} must be at least ${String(p.limit)} characters long`,
      };
    case 'maxLength':
      return {
        path: at,
        detail: `${where(at)} must be at most ${String(p.limit)} characters long, got ${String(typeof error.data === 'string' ? error.data.length : '?')}`,
      };
    default:
      return { path: at, detail: `${where(at)} ${error.message ?? 'is invalid'}` };
  }
}
