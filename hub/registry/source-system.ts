// A source system (R40, R42): a sectoral register admitted to produce to one source topic. It is
// registered like a connecting system — an organisation, a version that is assessed (R29–R32) —
// and its Kafka certificate (`dancu pki issue <system> --source`) is issued only while that
// assessment holds. The certificate's CN is the source, which the broker maps to the principal
// `User:source.<source>`, allowed to write `dancu.source.<source>.v1` only (kafka/access.ts).
import { isSourceName, type SourceName } from '../../schemas/sources.ts';
import { isValidName } from '../pki/client-certificate.ts';
import type { Checked } from './registry-error.ts';

export interface SourceSystem {
  systemId: string;
  organisationId: string;
  source: SourceName;
  /** The version that is assessed and connects, as for consumers (R30). */
  version: string;
}

const VERSION = /^[A-Za-z0-9._+-]{1,32}$/;

export function checkSourceSystem(input: unknown): Checked<SourceSystem> {
  const value = (input ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const name = (field: string) => {
    const text = value[field];
    if (typeof text !== 'string' || !isValidName(text)) problems.push(`${field} must be 1-64 letters, digits, '.', '_' or '-'`);
    return String(text);
  };
  const systemId = name('systemId');
  const organisationId = name('organisationId');
  const source = value.source;
  if (typeof source !== 'string' || !isSourceName(source))
    problems.push(
      `source must be one of the source topics' names (civil-status, residence, id-card, health), not ${JSON.stringify(source)}`,
    );
  const version = value.version;
  if (typeof version !== 'string' || !VERSION.test(version)) problems.push(`version must be 1-32 letters, digits, '.', '_', '+' or '-'`);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { systemId, organisationId, source: source as SourceName, version: version as string } };
}
