// One update, traced from the source connector to the change feed, read back from a real Jaeger.
// Both services run in this test process, each under its own service name, exporting over OTLP
// exactly as `dancu connector` and `dancu hub` do when OTEL_EXPORTER_OTLP_ENDPOINT is set.
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorService } from '../connectors/connector-process.ts';
import { FileCheckpoint } from '../connectors/sdk/checkpoint.ts';
import { runSourceConnector } from '../connectors/sdk/source-connector.ts';
import { SOURCE_DEFINITIONS } from '../connectors/sources.ts';
import { HUB_SERVICE } from '../hub/ingest/ingest-service.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { CHANGES_TOPIC, HEADERS } from '../kafka/topics.ts';
import { traceIdOf } from '../telemetry/trace-context.ts';
import { startTracing, type Tracing } from '../telemetry/tracing.ts';
import { testTracing } from './endpoints.ts';
import { call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { startTestHub, type TestHub, tapTopic, testKafka, waitFor } from './harness.ts';

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const PERSONAL_ID = '001090012345';
const NAME = 'Nguyễn Văn An';
const SOURCE_TOPIC = 'dancu.source.residence.v1';
const EXPECTED = [
  'connector.read',
  `send ${SOURCE_TOPIC}`,
  `process ${SOURCE_TOPIC}`,
  'hub.validate',
  'store.write',
  `send ${CHANGES_TOPIC}`,
];

const jaeger = testTracing();

/** Asks Jaeger's own query API until the trace holds a span of every expected name (bounded). */
function traceInJaeger(traceId: string, expected: readonly string[]): Promise<JaegerTrace> {
  return waitFor(
    `trace ${traceId} in Jaeger with spans ${expected.join(', ')}`,
    async () => {
      const response = await fetch(`${jaeger!.jaegerUrl}/api/traces/${traceId}`);
      if (!response.ok) return undefined;
      const [trace] = ((await response.json()) as { data: JaegerTrace[] }).data;
      const names = new Set(trace?.spans.map((span) => span.operationName));
      return expected.every((name) => names.has(name)) ? trace : undefined;
    },
    30_000,
  );
}

describe.skipIf(!jaeger)('tracing of the ingest path (needs the stack up --with-tracing)', () => {
  let tracing: Tracing;
  let hub: TestHub;
  const previousEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  beforeAll(async () => {
    // The SDK reads its exporter settings from the environment, as in a real process.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger!.otlpEndpoint;
    tracing = startTracing();
    hub = await startTestHub({ tracer: tracing.tracer(HUB_SERVICE) });
  });

  afterAll(async () => {
    await hub?.stop();
    await tracing?.shutdown();
    if (previousEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = previousEndpoint;
  });

  it('R26/R35, R25: one update from a source record to the change feed is one trace in Jaeger, with every hop and no personal data', async () => {
    expect(tracing.mode).toBe('exporting');
    const changes = await tapTopic(CHANGES_TOPIC);
    const publisher = new RecordPublisher(testKafka());
    const recordId = `CT-${randomUUID()}`;
    try {
      const summary = await runSourceConnector({
        source: 'residence',
        items: [{ position: 1, record: residenceRecord(recordId) }],
        toEvent: SOURCE_DEFINITIONS.residence.toEvent,
        publisher,
        checkpoint: new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-tracing-')), 'feed.json')),
        tracer: tracing.tracer(connectorService('residence')),
      });
      expect(summary.published).toBe(1);
      const change = await waitFor('the change on dancu.changes.v1', async () =>
        changes.records.find((record) => JSON.parse(String(record.value)).personalId === PERSONAL_ID),
      );
      const traceId = traceIdOf(change.headers[HEADERS.traceparent]);
      expect(traceId).toBeDefined();

      await tracing.forceFlush();
      const found = await traceInJaeger(traceId!, EXPECTED);

      const span = (name: string) => found.spans.find((each) => each.operationName === name)!;
      const service = (name: string) => found.processes[span(name).processID]?.serviceName;
      const tag = (name: string, key: string) => span(name).tags.find((each) => each.key === key)?.value;
      const parentOf = (name: string) => span(name).references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;

      expect(service('connector.read')).toBe('dancu-connector-residence');
      expect(service(`send ${SOURCE_TOPIC}`)).toBe('dancu-connector-residence');
      for (const hubSpan of EXPECTED.slice(2)) expect(service(hubSpan)).toBe('dancu-hub');
      // The hop over Kafka: the hub's consume is a child of the connector's send.
      expect(parentOf(`send ${SOURCE_TOPIC}`)).toBe(span('connector.read').spanID);
      expect(parentOf(`process ${SOURCE_TOPIC}`)).toBe(span(`send ${SOURCE_TOPIC}`).spanID);
      for (const child of ['hub.validate', 'store.write', `send ${CHANGES_TOPIC}`])
        expect(parentOf(child)).toBe(span(`process ${SOURCE_TOPIC}`).spanID);

      const consume = `process ${SOURCE_TOPIC}`;
      expect(tag(consume, 'messaging.system')).toBe('kafka');
      expect(tag(consume, 'messaging.destination.name')).toBe(SOURCE_TOPIC);
      expect(tag(consume, 'messaging.destination.partition.id')).toMatch(/^[0-2]$/);
      expect(typeof tag(consume, 'messaging.kafka.offset')).toBe('number');
      expect(tag(consume, 'dancu.source')).toBe('residence');
      expect(tag(consume, 'dancu.event_type')).toBe('current-residence-declared');
      expect(tag(consume, 'dancu.outcome')).toBe('applied');
      expect(tag('store.write', 'dancu.outcome')).toBe('applied');
      expect(tag(`send ${CHANGES_TOPIC}`, 'messaging.destination.name')).toBe(CHANGES_TOPIC);

      const everything = JSON.stringify(found.spans.map((each) => each.tags));
      for (const personal of [PERSONAL_ID, NAME, 'Phường Láng', recordId]) expect(everything).not.toContain(personal);
    } finally {
      await publisher.close();
      await changes.stop();
    }
  });
});

describe.skipIf(!jaeger)('tracing of a consumer call (needs the stack up --with-tracing)', () => {
  let tracing: Tracing;
  let fx: ExchangeFixture;
  const previousEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  beforeAll(async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger!.otlpEndpoint;
    tracing = startTracing();
    fx = await startExchangeFixture({ citizens: 5, tracer: tracing.tracer(HUB_SERVICE) });
  });

  afterAll(async () => {
    await fx?.stop();
    await tracing?.shutdown();
    if (previousEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = previousEndpoint;
  });

  it('R35: a Lookup is one trace in Jaeger through authentication and enforcement, the store read and the journal write, and its journal entry holds the trace id', async () => {
    const consumer = await fx.register({
      organisation: 'vss',
      category: 'CENTRAL_STATE_BODY',
      system: 'vss-traced',
      services: ['Lookup'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: [{ field: 'fullName', modes: ['disclose'] }],
    });
    const citizen = fx.citizens[0]!;
    const outcome = await call(consumer.exchange, 'lookup', {
      context: { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'HS-9', officerId: 'officer-1' },
      citizen: keyOf(citizen),
      fields: ['fullName'],
    });
    expect(outcome.ok).toBe(true);
    const [entry] = await queryJournal(fx.store.db, { system: 'vss-traced', limit: 1 });
    const traceId = entry?.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    await tracing.forceFlush();
    const server = 'dancu.exchange.v1.Exchange/Lookup';
    const expected = [server, 'exchange.enforce', 'store.read', 'journal.append'];
    const found = await traceInJaeger(traceId!, expected);
    const span = (name: string) => found.spans.find((each) => each.operationName === name)!;
    const tag = (name: string, key: string) => span(name).tags.find((each) => each.key === key)?.value;
    for (const child of expected.slice(1))
      expect(span(child).references.find((ref) => ref.refType === 'CHILD_OF')?.spanID).toBe(span(server).spanID);
    expect(found.processes[span(server).processID]?.serviceName).toBe('dancu-hub');
    expect(tag(server, 'dancu.agreement')).toBe(consumer.agreementId);
    expect(tag(server, 'dancu.decision')).toBe('allowed');
    expect(tag(server, 'dancu.system')).toBe('vss-traced');
    const everything = JSON.stringify(found.spans.map((each) => each.tags));
    for (const personal of [citizen._id, String(citizen.fields.fullName!.value)]) expect(everything).not.toContain(personal);
  });
});

function residenceRecord(recordId: string): Record<string, string> {
  return {
    ma_ho_so: recordId,
    loai_cu_tru: 'NOI_O_HIEN_TAI',
    so_dinh_danh: PERSONAL_ID,
    ho_ten: NAME,
    dia_chi_tinh: 'Hà Nội',
    dia_chi_xa: 'Phường Láng',
    dia_chi_chi_tiet: 'Số 12',
    ngay_dang_ky: '02/05/2024 09:15:00',
  };
}
