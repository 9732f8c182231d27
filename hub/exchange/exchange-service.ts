// The Exchange service's unary calls: each reads like its story —
// check the request → record what it is about → enforce → read the store → answer within the grant.
// Journaling and the mapping of refusals to statuses happen around them (journaled-call.ts).
import { randomUUID } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import type {
  BatchLookupRequest,
  BatchLookupResponse,
  DataErrorReportOutcome,
  ExchangeServer,
  GetDataErrorReportRequest,
  LookupRequest,
  LookupResponse,
  ReportDataErrorRequest,
  ReportDataErrorResponse,
  VerifyRequest,
  VerifyResponse,
} from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { AUTHORITY } from '../citizen/fields.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import type { AbuseGuard } from './abuse-guard.ts';
import type { CursorCodec } from './change-cursor.ts';
import type { CitizenReader } from './citizen-cache.ts';
import { claimMatches, impliedByPersonalId, matchesKey, project } from './citizen-view.ts';
import type { DataErrorReporter } from './data-error-report.ts';
import type { DataErrorReports } from './data-error-reports.ts';
import type { Enforcement } from './enforcement.ts';
import {
  checkCitizenKey,
  checkCitizenKeys,
  checkContext,
  checkCount,
  checkFields,
  checkPersonalIdArgument,
  checkProposedValue,
  LIMITS,
} from './exchange-call.ts';
import { findCitizen } from './find-citizen.ts';
import {
  type CallObserver,
  type CallOutcome,
  type CallRecord,
  journaledUnary,
  recordContext,
  type ServiceCalls,
} from './journaled-call.ts';
import { refuse } from './refusal.ts';
import type { RefusalFlood } from './refusal-flood.ts';
import type { StreamSlots } from './stream-slots.ts';
import { type ChangeFeed, watchChanges } from './watch-changes.ts';
import { toWireField } from './wire.ts';

export interface ExchangeDependencies {
  enforcement: Enforcement;
  journal: JournalWriter;
  /** Citizens by personal id: the store, through the hub's citizen cache (citizen-cache.ts). */
  store: CitizenReader;
  /** R37: the reports routed, and their registers' decisions. */
  reports: Pick<DataErrorReports, 'get'>;
  /** R34: the synthetic citizens test runs under a sandbox agreement read instead (sandbox-citizens.ts). */
  sandbox: CitizenReader;
  abuse: AbuseGuard;
  reporter: DataErrorReporter;
  changes: ChangeFeed;
  /** Signs and reads WatchChanges cursors with the hub's key. */
  cursors: CursorCodec;
  /** Open WatchChanges streams, capped per agreement. */
  streams: StreamSlots;
  observer: CallObserver;
  tracer: Tracer;
  /** Per-certificate flood control of journaled refusals (refusal-flood.ts). */
  refusals?: RefusalFlood;
  /** How often open WatchChanges streams re-check their agreement and consents (default 2 s). */
  recheckMs?: number;
}

export const EXCHANGE_SERVICE = 'dancu.exchange.v1.Exchange';

export function exchangeService(deps: ExchangeDependencies): ExchangeServer {
  const { enforcement, abuse } = deps;
  /** The population a call reads: synthetic citizens for a test run (R34), else the store. */
  const citizensFor = (record: CallRecord) => (record.act === 'test-run' ? { abuse, store: deps.sandbox } : { abuse, store: deps.store });
  const calls: ServiceCalls = {
    journal: deps.journal,
    observer: deps.observer,
    tracer: deps.tracer,
    service: EXCHANGE_SERVICE,
    act: 'exchange',
    ...(deps.refusals ? { refusals: deps.refusals } : {}),
  };
  const unary = <Request, Response>(action: string, run: (request: Request, record: CallRecord) => Promise<CallOutcome<Response>>) =>
    journaledUnary<Request, Response>(calls, action, run);

  return {
    lookup: unary<LookupRequest, LookupResponse>('Lookup', async (request, record) => {
      const context = recordContext(record, checkContext(request.context));
      const key = checkCitizenKey(request.citizen);
      record.citizens = [key.personalId];
      const fields = checkFields(request.fields);
      record.fields = fields;
      await record.trace.step('exchange.enforce', () =>
        enforcement.authorize(record.identity, { service: 'Lookup', context, personalIds: [key.personalId], fields, mode: 'disclose' }),
      );
      const document = await findCitizen(citizensFor(record), record, context.agreementId, key);
      const disclosed = project(document, fields).map(toWireField);
      return {
        response: (receipt) => ({
          personalId: key.personalId,
          fields: disclosed,
          journalSequence: receipt.sequence,
          journalChain: receipt.chain,
        }),
      };
    }),

    batchLookup: unary<BatchLookupRequest, BatchLookupResponse>('BatchLookup', async (request, record) => {
      const context = recordContext(record, checkContext(request.context));
      const keys = checkCitizenKeys(request.citizens);
      record.citizens = keys.map((key) => key.personalId);
      const fields = checkFields(request.fields);
      record.fields = fields;
      await record.trace.step('exchange.enforce', () =>
        enforcement.authorize(record.identity, { service: 'BatchLookup', context, personalIds: record.citizens, fields, mode: 'disclose' }),
      );
      abuse.admit(context.agreementId, record.citizens);
      abuse.admitKeys(context.agreementId, keys);
      const documents = await record.trace.step('store.read', () => citizensFor(record).store.readCitizens(record.citizens));
      const results = keys.map((key) => {
        const document = documents.get(key.personalId) ?? null;
        const found = matchesKey(document, key);
        abuse.record(context.agreementId, key.personalId, found);
        return { personalId: key.personalId, found, fields: found ? project(document, fields).map(toWireField) : [] };
      });
      const misses = results.filter((result) => !result.found).length;
      return {
        response: (receipt) => ({ results, journalSequence: receipt.sequence, journalChain: receipt.chain }),
        ...(misses ? { detail: `${misses} not found` } : {}),
      };
    }),

    verify: unary<VerifyRequest, VerifyResponse>('Verify', async (request, record) => {
      const context = recordContext(record, checkContext(request.context));
      const personalId = checkPersonalIdArgument(request.personalId);
      record.citizens = [personalId];
      checkCount(request.claims.length, LIMITS.verifyClaims, 'claims');
      const fields = checkFields(
        request.claims.map((claim) => claim.field),
        'claims',
      );
      record.fields = fields;
      await record.trace.step('exchange.enforce', () =>
        enforcement.authorize(record.identity, { service: 'Verify', context, personalIds: [personalId], fields, mode: 'match' }),
      );
      abuse.admit(context.agreementId, [personalId]);
      abuse.admitClaims(context.agreementId, personalId, request.claims);
      const document = await record.trace.step('store.read', () => citizensFor(record).store.readCitizen(personalId));
      const matches = request.claims.map((claim, index) => ({
        field: claim.field,
        matches: claimMatches(document, personalId, fields[index]!, claim.value),
      }));
      // A claim the id answers (sex) says nothing about the record, so it is no hit.
      abuse.record(
        context.agreementId,
        personalId,
        matches.some((match, index) => match.matches && impliedByPersonalId(personalId, fields[index]!) === undefined),
      );
      const matched = matches.filter((match) => match.matches).length;
      return {
        response: (receipt) => ({ matches, journalSequence: receipt.sequence, journalChain: receipt.chain }),
        detail: `${matched} of ${matches.length} claims matched`,
      };
    }),

    reportDataError: unary<ReportDataErrorRequest, ReportDataErrorResponse>('ReportDataError', async (request, record) => {
      const context = recordContext(record, checkContext(request.context));
      const key = checkCitizenKey(request.citizen);
      const personalId = key.personalId;
      record.citizens = [personalId];
      const [field] = checkFields([request.field], 'field');
      record.fields = [field!];
      const description = (request.description ?? '').trim();
      if (description.length === 0 || description.length > LIMITS.descriptionChars) {
        refuse('INVALID_REQUEST', `description is required, at most ${LIMITS.descriptionChars} characters`);
      }
      checkProposedValue(request.proposedValue);
      // Consent and the citizen's key, as for Lookup: a report must not tell whether an id exists.
      const grant = await record.trace.step('exchange.enforce', () =>
        enforcement.authorize(record.identity, {
          service: 'ReportDataError',
          context,
          personalIds: [personalId],
          fields: [field!],
          mode: null,
        }),
      );
      await findCitizen(citizensFor(record), record, context.agreementId, key);
      const reportId = randomUUID();
      const routedTo = AUTHORITY[field!];
      await record.trace.step('corrections.publish', () =>
        deps.reporter.report({
          reportId,
          personalId,
          field: field!,
          proposedValue: request.proposedValue ?? null,
          description,
          routedTo,
          reportedBy: {
            organisation: grant.organisationId,
            system: grant.systemId,
            agreement: grant.agreement.id,
            officer: context.officerId,
          },
          reportedAt: new Date().toISOString(),
          ...(record.traceId ? { traceId: record.traceId } : {}),
        }),
      );
      return {
        response: (receipt) => ({ reportId, routedTo, journalSequence: receipt.sequence, journalChain: receipt.chain }),
        detail: `report ${reportId} routed to ${routedTo}`,
      };
    }),

    getDataErrorReport: unary<GetDataErrorReportRequest, DataErrorReportOutcome>('GetDataErrorReport', async (request, record) => {
      const context = recordContext(record, checkContext(request.context));
      const reportId = (request.reportId ?? '').trim();
      if (!/^[0-9a-f-]{36}$/.test(reportId)) refuse('INVALID_REQUEST', 'reportId must be the id ReportDataError answered');
      // The caller's standing only: reading the outcome of one's own report exploits no data.
      await record.trace.step('exchange.enforce', () => enforcement.admitSystem(record.identity, context.agreementId));
      const report = await record.trace.step('store.read', () => deps.reports.get(reportId));
      if (report === null || report.reportedBy.agreement !== context.agreementId)
        refuse('RECORD_NOT_FOUND', `no data-error report ${reportId} under agreement ${context.agreementId}`);
      record.citizens = [report.personalId];
      record.fields = [report.field];
      return {
        response: () => ({
          reportId,
          field: report.field,
          routedTo: report.routedTo,
          status: report.status,
          reason: report.decision?.reason ?? '',
          reportedAt: report.reportedAt,
          decidedAt: report.decision?.decidedAt,
          decidedBy: report.decision?.decidedBy ?? '',
        }),
        detail: `report ${reportId}: ${report.status}`,
      };
    }),

    watchChanges: watchChanges({ ...deps, calls }),
  };
}
