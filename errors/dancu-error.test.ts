import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../cli/exit-code.ts';
import { Refused } from '../connectors/consumers/refused.ts';
import { MappingError, rejectionOf } from '../connectors/sdk/mapping-error.ts';
import { StackError } from '../deploy/local/stack-error.ts';
import { InvalidSearch } from '../hub/admin/journal-search.ts';
import { TraceUnavailable } from '../hub/admin/trace-view.ts';
import { EidAssertionError } from '../hub/eid/eid-assertion.ts';
import { asRefusal, toServiceError } from '../hub/exchange/grpc-status.ts';
import { Refusal } from '../hub/exchange/refusal.ts';
import { IngestError } from '../hub/ingest/ingest-error.ts';
import { JournalError, JournalUnavailable } from '../hub/journal/journal-error.ts';
import { ConnectorRetirementRefused } from '../hub/operations/connector-retirement.ts';
import { HealthThresholdsError } from '../hub/operations/health-thresholds.ts';
import { OperatorReadRefused } from '../hub/operations/operator-read.ts';
import { RegistryError } from '../hub/registry/registry-error.ts';
import { SmsGatewayError } from '../hub/sms/sms-gateway.ts';
import { StoreError } from '../hub/store/population-store.ts';
import { SupportError } from '../hub/support/support-error.ts';
import { PositionExpired } from '../kafka/topic-tail.ts';
import { REASON_METADATA_KEY } from '../proto/metadata.ts';
import { DancuError } from './dancu-error.ts';

const ROOT = join(import.meta.dirname, '..');
const SKIPPED = new Set(['node_modules', '.git', '.dancu', 'gen', 'test-artifacts']);

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** What leaves the process for an error: the gRPC status and reason, a rejected record's reason, the CLI's exit code. */
function mapped(error: unknown): { grpc: string; rejection: string | undefined; exit: number } {
  const sent = toServiceError(asRefusal(error));
  return {
    grpc: `${status[sent.code!]} ${String(sent.metadata!.get(REASON_METADATA_KEY)[0])}`,
    rejection: rejectionOf(error)?.reason,
    exit: exitCodeOf(error),
  };
}

describe('one error model', () => {
  it('every Error class in the tree extends DancuError: no module declares an error of another shape', async () => {
    const strays: string[] = [];
    for (const file of await sources(ROOT)) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/class\s+(\w+)(?:<[^>]*>)?\s+extends\s+Error\b/g)) {
        if (match[1] !== 'DancuError') strays.push(`${relative(ROOT, file)}: ${match[1]}`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('each family keeps its code and says whether a retry can help', () => {
    expect(new RegistryError('NOT_FOUND', 'no request R-1')).toMatchObject({
      code: 'NOT_FOUND',
      retryable: false,
      message: 'no request R-1',
      name: 'RegistryError',
    });
    expect(new Refusal('RATE_LIMITED', 'slow down')).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED', retryable: true });
    expect(new Refusal('CONSENT_MISSING', 'no consent')).toMatchObject({ code: 'CONSENT_MISSING', retryable: false });
    expect(new JournalUnavailable('down')).toMatchObject({ code: 'journal-unavailable', retryable: true });
    expect(new EidAssertionError('EID_UNAVAILABLE', 'no keys').retryable).toBe(true);
    expect(new MappingError('bad-field', 'bad', 'ngay_sinh')).toMatchObject({
      code: 'bad-field',
      reason: 'bad-field',
      field: 'ngay_sinh',
      retryable: false,
    });
    expect(new Refused(status.UNAVAILABLE, '', 'no hub')).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(new TraceUnavailable(404, 'no such trace')).toMatchObject({ code: 'trace-not-found', retryable: false });
    for (const error of [new StoreError('store-unsupported', 'x'), new OperatorReadRefused('x'), new PositionExpired('t', 0, '5', '7–9')])
      expect(error).toBeInstanceOf(DancuError);
  });

  // family, error → gRPC status and reason (hub/exchange/grpc-status.ts), rejected record's reason
  // (connectors/sdk/mapping-error.ts rejectionOf), CLI exit code (cli/exit-code.ts).
  const TABLE: Array<[string, unknown, { grpc: string; rejection: string | undefined; exit: number }]> = [
    [
      'refusal: permission',
      new Refusal('CONSENT_MISSING', 'x'),
      { grpc: 'PERMISSION_DENIED CONSENT_MISSING', rejection: undefined, exit: 3 },
    ],
    [
      'refusal: unauthenticated',
      new Refusal('CERTIFICATE_REVOKED', 'x'),
      { grpc: 'UNAUTHENTICATED CERTIFICATE_REVOKED', rejection: undefined, exit: 3 },
    ],
    ['refusal: invalid', new Refusal('INVALID_REQUEST', 'x'), { grpc: 'INVALID_ARGUMENT INVALID_REQUEST', rejection: undefined, exit: 2 }],
    ['refusal: not found', new Refusal('CITIZEN_NOT_FOUND', 'x'), { grpc: 'NOT_FOUND CITIZEN_NOT_FOUND', rejection: undefined, exit: 4 }],
    ['refusal: rate limit', new Refusal('RATE_LIMITED', 'x'), { grpc: 'RESOURCE_EXHAUSTED RATE_LIMITED', rejection: undefined, exit: 75 }],
    ['refusal: quota', new Refusal('QUOTA_EXCEEDED', 'x'), { grpc: 'RESOURCE_EXHAUSTED QUOTA_EXCEEDED', rejection: undefined, exit: 3 }],
    [
      'refusal: journal down',
      new Refusal('JOURNAL_UNAVAILABLE', 'x'),
      { grpc: 'UNAVAILABLE JOURNAL_UNAVAILABLE', rejection: undefined, exit: 75 },
    ],
    ['refusal: cursor', new Refusal('CURSOR_EXPIRED', 'x'), { grpc: 'OUT_OF_RANGE CURSOR_EXPIRED', rejection: undefined, exit: 2 }],
    ['registry NOT_FOUND', new RegistryError('NOT_FOUND', 'x'), { grpc: 'NOT_FOUND RECORD_NOT_FOUND', rejection: undefined, exit: 4 }],
    ['registry INVALID', new RegistryError('INVALID', 'x'), { grpc: 'INVALID_ARGUMENT INVALID_REQUEST', rejection: undefined, exit: 2 }],
    [
      'registry CHANNEL_NOT_ALLOWED',
      new RegistryError('CHANNEL_NOT_ALLOWED', 'x'),
      { grpc: 'PERMISSION_DENIED CHANNEL_NOT_ALLOWED', rejection: undefined, exit: 3 },
    ],
    [
      'registry NOT_COMPETENT',
      new RegistryError('NOT_COMPETENT', 'x'),
      { grpc: 'PERMISSION_DENIED NOT_COMPETENT', rejection: undefined, exit: 3 },
    ],
    [
      'registry REASON_REQUIRED',
      new RegistryError('REASON_REQUIRED', 'x'),
      { grpc: 'INVALID_ARGUMENT REASON_REQUIRED', rejection: undefined, exit: 2 },
    ],
    [
      'registry INVALID_TRANSITION',
      new RegistryError('INVALID_TRANSITION', 'x'),
      { grpc: 'FAILED_PRECONDITION INVALID_TRANSITION', rejection: undefined, exit: 1 },
    ],
    ['registry CONFLICT', new RegistryError('CONFLICT', 'x'), { grpc: 'ABORTED CONFLICT', rejection: undefined, exit: 1 }],
    [
      'registry NOT_CONFIRMED',
      new RegistryError('NOT_CONFIRMED', 'x'),
      { grpc: 'PERMISSION_DENIED CONSENT_NOT_CONFIRMED', rejection: undefined, exit: 3 },
    ],
    ['support NOT_FOUND', new SupportError('NOT_FOUND', 'x'), { grpc: 'NOT_FOUND RECORD_NOT_FOUND', rejection: undefined, exit: 4 }],
    ['support INVALID', new SupportError('INVALID', 'x'), { grpc: 'INVALID_ARGUMENT INVALID_REQUEST', rejection: undefined, exit: 2 }],
    [
      'support REASON_REQUIRED',
      new SupportError('REASON_REQUIRED', 'x'),
      { grpc: 'INVALID_ARGUMENT REASON_REQUIRED', rejection: undefined, exit: 2 },
    ],
    [
      'support INVALID_TRANSITION',
      new SupportError('INVALID_TRANSITION', 'x'),
      { grpc: 'FAILED_PRECONDITION INVALID_TRANSITION', rejection: undefined, exit: 1 },
    ],
    [
      'support NOT_AN_OFFICER',
      new SupportError('NOT_AN_OFFICER', 'x'),
      { grpc: 'PERMISSION_DENIED NOT_AN_OPERATOR', rejection: undefined, exit: 3 },
    ],
    [
      'support NOT_COMPETENT',
      new SupportError('NOT_COMPETENT', 'x'),
      { grpc: 'PERMISSION_DENIED NOT_COMPETENT', rejection: undefined, exit: 3 },
    ],
    [
      'e-ID assertion invalid',
      new EidAssertionError('EID_ASSERTION_INVALID', 'x'),
      { grpc: 'UNAUTHENTICATED EID_ASSERTION_INVALID', rejection: undefined, exit: 3 },
    ],
    [
      'e-ID unavailable',
      new EidAssertionError('EID_UNAVAILABLE', 'x'),
      { grpc: 'UNAVAILABLE EID_UNAVAILABLE', rejection: undefined, exit: 75 },
    ],
    ['operator read refused', new OperatorReadRefused('x'), { grpc: 'PERMISSION_DENIED NOT_AN_OPERATOR', rejection: undefined, exit: 3 }],
    [
      'connector retirement invalid',
      new ConnectorRetirementRefused('x'),
      { grpc: 'INVALID_ARGUMENT INVALID_REQUEST', rejection: undefined, exit: 2 },
    ],
    ['mapping bad-field', new MappingError('bad-field', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: 'bad-field', exit: 2 }],
    ['mapping missing-field', new MappingError('missing-field', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: 'missing-field', exit: 2 }],
    ['mapping unknown-type', new MappingError('unknown-type', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: 'unknown-type', exit: 2 }],
    [
      'stack endpoint-invalid',
      new StackError('endpoint-invalid', 'x', false),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 2 },
    ],
    ['stack tool-missing', new StackError('tool-missing', 'x', false), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 69 }],
    ['stack port-in-use', new StackError('port-in-use', 'x', false), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 69 }],
    ['stack build-failed', new StackError('build-failed', 'x', false), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 1 }],
    [
      'stack stop-failed, retryable',
      new StackError('stop-failed', 'x', true),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 75 },
    ],
    ['journal unavailable', new JournalUnavailable('x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 75 }],
    [
      'journal misconfigured',
      new JournalError('journal-misconfigured', 'x', false),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 2 },
    ],
    ['journal tampered', new JournalError('journal-tampered', 'x', false), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 1 }],
    [
      'ingest store contention',
      new IngestError('store-contention', 'x', true),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 75 },
    ],
    [
      'ingest store unavailable',
      new IngestError('store-unavailable', 'x', false),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 69 },
    ],
    ['store unsupported', new StoreError('store-unsupported', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 2 }],
    ['SMSC unreachable', new SmsGatewayError('smsc-unreachable', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 75 }],
    ['SMSC bind refused', new SmsGatewayError('bind-refused', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 3 }],
    ['health thresholds', new HealthThresholdsError('x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 2 }],
    ['journal search', new InvalidSearch('x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 2 }],
    ['trace not found', new TraceUnavailable(404, 'x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 4 }],
    ['tracing unavailable', new TraceUnavailable(503, 'x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 75 }],
    ['position expired', new PositionExpired('t', 0, '5', '7–9'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 4 }],
    [
      'consumer: refused for good',
      new Refused(status.PERMISSION_DENIED, 'AGREEMENT_SUSPENDED', 'x'),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 3 },
    ],
    [
      'consumer: not found',
      new Refused(status.NOT_FOUND, 'CITIZEN_NOT_FOUND', 'x'),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 4 },
    ],
    ['consumer: hub unreachable', new Refused(status.UNAVAILABLE, '', 'x'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 75 }],
    ['not ours: a bug', new TypeError('x is undefined'), { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 1 }],
    [
      'ours, as the cause of a message with more context',
      new Error('sync stopped', { cause: new Refused(status.PERMISSION_DENIED, 'AGREEMENT_SUSPENDED', 'x') }),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 3 },
    ],
    [
      'not ours, as the cause',
      new Error('failed', { cause: new Error('ECONNRESET') }),
      { grpc: 'INTERNAL INTERNAL', rejection: undefined, exit: 1 },
    ],
  ];

  it.each(TABLE)('%s maps to its gRPC status, rejection reason and exit code', (_family, error, expected) => {
    expect(mapped(error)).toEqual(expected);
  });

  it('a refusal keeps its message on the wire, after its reason', () => {
    expect(toServiceError(asRefusal(new RegistryError('NOT_FOUND', 'no request R-1'))).details).toBe('RECORD_NOT_FOUND: no request R-1');
  });
});
