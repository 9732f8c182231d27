// The Operations gRPC service: connector health for operator tools, the same view as the admin
// port's GET /connectors, behind an operator certificate.
import type { Tracer } from '@opentelemetry/api';
import type { ConnectorHealth as WireConnectorHealth, ListConnectorsRequest, ListConnectorsResponse, OperationsServer } from '../../proto/gen/dancu/operations/v1/operations.ts';
import { operatorCall } from '../api/operator-call.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import type { CallObserver, ServiceCalls } from '../exchange/journaled-call.ts';
import type { ConnectorHealth } from './connector-health.ts';

export const OPERATIONS_SERVICE = 'dancu.operations.v1.Operations';

export interface OperationsDependencies {
  connectors: () => ConnectorHealth[];
  journal: JournalWriter;
  observer: CallObserver;
  tracer: Tracer;
}

export function operationsService(deps: OperationsDependencies): OperationsServer {
  const calls: ServiceCalls = { journal: deps.journal, observer: deps.observer, tracer: deps.tracer, service: OPERATIONS_SERVICE, act: 'registry' };
  return {
    listConnectors: operatorCall<ListConnectorsRequest, ListConnectorsResponse>(calls, 'Operations.ListConnectors', async () => ({ connectors: deps.connectors().map(toWire) })),
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
