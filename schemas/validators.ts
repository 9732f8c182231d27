// The one Ajv instance: every schema is compiled once, when this module is first imported.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { listEventSchemaFiles, loadSchema } from './catalogue.ts';
import { isDate, isDateTime } from './formats.ts';
import type { CitizenChange, CitizenRecord, DeadLetter, EventEnvelope, HeartbeatRecord } from './types.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv2020({ allErrors: false, strict: true, verbose: true });
addFormats(ajv, ['uuid']);
ajv.addFormat('date', { type: 'string', validate: isDate });
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
ajv.addSchema(loadSchema('common.schema.json'));

function compile<T>(file: string): ValidateFunction<T> {
  return ajv.compile<T>(loadSchema(file));
}

export const validateEnvelope = compile<EventEnvelope>('event-envelope.schema.json');
export const validateCitizenRecord = compile<CitizenRecord>('citizen-record.schema.json');
export const validateChange = compile<CitizenChange>('change.schema.json');
export const validateDeadLetter = compile<DeadLetter>('dead-letter.schema.json');
export const validateHeartbeat = compile<HeartbeatRecord>('heartbeat.schema.json');

/** Payload validators by source, then by event type. */
export const PAYLOAD_VALIDATORS: ReadonlyMap<string, ReadonlyMap<string, ValidateFunction>> = (() => {
  const bySource = new Map<string, Map<string, ValidateFunction>>();
  for (const { source, type, file } of listEventSchemaFiles()) {
    let byType = bySource.get(source);
    if (!byType) {
      byType = new Map();
      bySource.set(source, byType);
    }
    byType.set(type, compile(file));
  }
  return bySource;
})();
