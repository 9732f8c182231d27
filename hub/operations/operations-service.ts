// The Operations gRPC service: connector health for operator tools, the same view as the admin
// port's GET /connectors, behind an operator certificate.

import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import { CHANGES_TOPIC, HEARTBEATS_TOPIC } from '../../kafka/topics.ts';
import type {
  ListConnectorsRequest,
  ListConnectorsResponse,
  OperationsServer,
  ReportHeartbeatRequest,
  ReportHeartbeatResponse,
  ConnectorHealth as WireConnectorHealth,
} from '../../proto/gen/dancu/operations/v1/operations.ts';
import { CONNECTOR_STATES, type ConnectorState, type Heartbeat } from '../../schemas/heartbeat.ts';
import type { Enforcement } from '../exchange/enforcement.ts';
import { toServiceError } from '../exchange/grpc-status.ts';
import type { CallObserver, ServiceCalls } from '../exchange/journaled-call.ts';
import { refuse } from '../exchange/refusal.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { callerIdentity } from '../pki/peer-identity.ts';
import type { OfficerDirectory } from '../registry/officer-actions.ts';
import { operatorCall } from '../registry/operator-call.ts';
import type { ConnectorHealth } from './connector-health.ts';

export const OPERATIONS_SERVICE = 'dancu.operations.v1.Operations';

export interface OperationsDependencies {
  connectors: () => ConnectorHealth[];
  /** Checks a consumer's certificate and agreement before its heartbeat is accepted. */
  enforcement: Enforcement;
  /** Where accepted consumer heartbeats go: dancu.heartbeats.v1, beside the sources'. */
  publisher: Pick<RecordPublisher, 'publish'>;
  journal: JournalWriter;
  observer: CallObserver;
  tracer: Tracer;
  /** The registered officers operator calls are checked against (their certificates, competence). */
  officers?: OfficerDirectory;
}

export function operationsService(deps: OperationsDependencies): OperationsServer {
  const calls: ServiceCalls = {
    journal: deps.journal,
    observer: deps.observer,
    tracer: deps.tracer,
    service: OPERATIONS_SERVICE,
    act: 'registry',
    ...(deps.officers ? { officers: deps.officers } : {}),
  };
  return {
    listConnectors: operatorCall<ListConnectorsRequest, ListConnectorsResponse>(
      calls,
      'Operations.ListConnectors',
      'list-connectors',
      async () => ({ connectors: deps.connectors().map(toWire) }),
    ),
    reportHeartbeat: (
      call: ServerUnaryCall<ReportHeartbeatRequest, ReportHeartbeatResponse>,
      callback: sendUnaryData<ReportHeartbeatResponse>,
    ) => {
      // Not journaled (a beat every few seconds is no exchange of data), but held to the same
      // standing as an exchange: a registered certificate under an agreement in force.
      void (async () => {
        try {
          const request = call.request;
          const admitted = await deps.enforcement.admitSystem(callerIdentity(call), request.agreementId);
          const heartbeat = consumerHeartbeat(request, admitted.systemId, new Date());
          await deps.publisher.publish(HEARTBEATS_TOPIC, [{ key: heartbeat.connector, value: JSON.stringify(heartbeat) }]);
          callback(null, {});
        } catch (error) {
          callback(toServiceError(error));
        }
      })();
    },
  };
}

/** The heartbeat a consumer reported, as the hub publishes it; refuses one that is not the caller's. */
export function consumerHeartbeat(request: ReportHeartbeatRequest, systemId: string, receivedAt: Date): Heartbeat {
  if (request.connector !== systemId && !request.connector.startsWith(`${systemId}.`)) {
    refuse('INVALID_REQUEST', `connector must be ${systemId} or start with "${systemId}.", the system your certificate names`);
  }
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(request.connector)) refuse('INVALID_REQUEST', 'connector: 1 to 128 letters, digits, ".", "_" or "-"');
  if (!(CONNECTOR_STATES as readonly string[]).includes(request.state))
    refuse('INVALID_REQUEST', `state must be one of ${CONNECTOR_STATES.join(', ')}`);
  return {
    connector: request.connector,
    kind: 'consumer',
    topic: CHANGES_TOPIC,
    state: request.state as ConnectorState,
    position: { read: request.read, checkpoint: request.checkpoint },
    counts: { published: request.published, rejected: request.rejected, skipped: request.skipped },
    lastError: request.lastError
      ? { message: request.lastError.slice(0, 300), at: (request.lastErrorAt ?? receivedAt).toISOString() }
      : null,
    version: request.version.slice(0, 40) || 'unknown',
    startedAt: (request.startedAt ?? receivedAt).toISOString(),
    // The hub's clock, so a consumer's clock skew cannot make it look alive or dead.
    at: receivedAt.toISOString(),
    intervalMs: request.intervalMs || 5_000,
  };
}

function toWire(health: ConnectorHealth): WireConnectorHealth {
  return {
    connector: health.connector,
    kind: health.kind,
    topic: health.topic,
    state: health.state,
    reason: health.reason,
    reportedState: health.reportedState,
    heartbeatAgeSeconds: health.heartbeatAgeSeconds,
    lastHeartbeatAt: new Date(health.lastHeartbeatAt),
    published: health.counts.published,
    rejected: health.counts.rejected,
    errorRate: health.errorRate ?? -1,
    lag: health.lag ?? -1,
    lastError: health.lastError?.message ?? '',
  };
}
