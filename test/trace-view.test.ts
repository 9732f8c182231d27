// The dashboard's trace view in a real headless Chromium: traces of a consumer's Lookup and of an
// ingested record, exported over OTLP to the local Jaeger and read back through the admin port
// (which proxies Jaeger's query API; the local Jaeger has no UI). When the stack runs without
// Jaeger only the "tracing is off" half runs.
import { randomInt } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorService } from '../connectors/connector-process.ts';
import { FileCheckpoint } from '../connectors/sdk/checkpoint.ts';
import { runSourceConnector } from '../connectors/sdk/source-connector.ts';
import { SOURCE_DEFINITIONS } from '../connectors/sources.ts';
import { AdminServer } from '../hub/admin/admin-server.ts';
import type { TraceView } from '../hub/admin/trace-view.ts';
import { HUB_SERVICE } from '../hub/ingest/ingest-service.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { CHANGES_TOPIC } from '../kafka/topics.ts';
import { startTracing, type Tracing } from '../telemetry/tracing.ts';
import { artifactPath, getWithHost, launchChromium, screenshot } from './dashboard-browser.ts';
import { testTracing } from './endpoints.ts';
import { call, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { startTestHub, type TestHub, tapTopic, testKafka, waitFor } from './harness.ts';

const jaeger = testTracing();
const NAME = 'Trần Thị Bích';
const SOURCE_TOPIC = 'dancu.source.residence.v1';

describe('the trace view when tracing is off', () => {
  let hub: TestHub;
  let off: AdminServer;
  let unreachable: AdminServer;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub();
    const dashboard = (jaegerUrl: string | undefined) => ({ ingest: hub.hub, traces: { jaegerUrl, hubExports: false } });
    off = await AdminServer.start({
      registry: hub.hub.metrics.registry,
      readiness: () => hub.hub.readiness(),
      dashboard: dashboard(undefined),
      port: 0,
    });
    // Port 9 (discard) on loopback: nothing listens there.
    unreachable = await AdminServer.start({
      registry: hub.hub.metrics.registry,
      readiness: () => hub.hub.readiness(),
      dashboard: dashboard('http://127.0.0.1:9'),
      port: 0,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await off?.close();
    await unreachable?.close();
    await hub?.stop();
  });

  it('R26: the dashboard still works and says plainly that no trace can be shown, and why', async () => {
    const page = await browser.newPage();
    await page.goto(`${off.url}/#trace=0af7651916cd43dd8448eb211c80319c`);
    await expect.poll(() => page.locator('#tracing-status').textContent()).toContain('Tracing is off');
    await expect.poll(() => page.locator('#trace-error').textContent()).toContain('Tracing is off');
    await expect.poll(() => page.locator('[data-source]').count(), { timeout: 10_000 }).toBe(4); // the rest of the page works
    expect((await fetch(`${off.url}/api/traces/0af7651916cd43dd8448eb211c80319c`)).status).toBe(503);

    await page.goto(`${unreachable.url}/#trace=0af7651916cd43dd8448eb211c80319c`);
    await expect.poll(() => page.locator('#tracing-status').textContent()).toContain('This hub exports no spans');
    await expect.poll(() => page.locator('#trace-error').textContent(), { timeout: 10_000 }).toContain('does not answer');
    await page.close();
  });

  it('R22: the trace proxy takes only a trace id or an event id, and answers only to loopback names', async () => {
    for (const bad of ['..%2F..%2Fapi%2Fservices', 'xyz', '0af7651916cd43dd8448eb211c80319c%2F..%2F..']) {
      expect((await fetch(`${unreachable.url}/api/traces/${bad}`)).status).toBe(400);
    }
    expect((await fetch(`${unreachable.url}/api/traces?event=001090012345`)).status).toBe(400);
    expect((await fetch(`${unreachable.url}/api/traces/0af7651916cd43dd8448eb211c80319c`)).status).toBe(503);
    expect(await getWithHost(`${unreachable.url}/api/traces/0af7651916cd43dd8448eb211c80319c`, 'attacker.example')).toBe(403);
  });
});

describe.skipIf(!jaeger)('the trace view on the local Jaeger (needs the stack up --with-tracing)', () => {
  let tracing: Tracing;
  let hub: TestHub;
  let fx: ExchangeFixture;
  let admin: AdminServer;
  let browser: Browser;
  let page: Page;
  const previousEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  beforeAll(async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger!.otlpEndpoint;
    tracing = startTracing();
    const tracer = tracing.tracer(HUB_SERVICE);
    hub = await startTestHub({ tracer });
    // The exchange shares the hub's database and journal, as in `dancu hub`: one dashboard shows both.
    fx = await startExchangeFixture({ citizens: 3, tracer, database: hub.database, journal: hub.hub.journal });
    admin = await AdminServer.start({
      registry: hub.hub.metrics.registry,
      readiness: () => hub.hub.readiness(),
      dashboard: { ingest: hub.hub, traces: { jaegerUrl: jaeger!.jaegerUrl, hubExports: true } },
      port: 0,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    if (page) await screenshot(page, 'trace-view.png');
    await browser?.close();
    await admin?.close();
    await fx?.stop();
    await hub?.stop();
    await tracing?.shutdown();
    if (previousEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = previousEndpoint;
  });

  /** Asks the admin port (and so Jaeger) until the trace holds every expected span (bounded). */
  function traceThroughAdmin(path: string, expected: readonly string[]): Promise<TraceView> {
    return waitFor(
      `${path} with spans ${expected.join(', ')}`,
      async () => {
        const response = await fetch(`${admin.url}${path}`);
        if (!response.ok) return undefined;
        const view = (await response.json()) as TraceView;
        return expected.every((name) => view.spans.some((span) => span.name === name)) ? view : undefined;
      },
      30_000,
    );
  }

  const rowNames = () => page.locator('table.waterfall tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span')));

  it('R35: a journal entry of a Lookup opens its trace as a waterfall — services, spans, durations — without personal data', async () => {
    const consumer = await fx.register({
      organisation: 'vss',
      category: 'CENTRAL_STATE_BODY',
      system: 'vss-trace-view',
      services: ['Lookup'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: [{ field: 'fullName', modes: ['disclose'] }],
    });
    const citizen = fx.citizens[0]!;
    const outcome = await call(consumer.exchange, 'lookup', {
      context: { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', caseReference: 'HS-17', officerId: 'officer-1' },
      citizen: keyOf(citizen),
      fields: ['fullName'],
    });
    expect(outcome.ok).toBe(true);
    const [entry] = await queryJournal(hub.store.db, { system: 'vss-trace-view', limit: 1 });
    const traceId = entry!.traceId!;
    await tracing.forceFlush();
    const server = 'dancu.exchange.v1.Exchange/Lookup';
    await traceThroughAdmin(`/api/traces/${traceId}`, [server, 'exchange.enforce', 'store.read', 'journal.append']);

    await page.goto(`${admin.url}/`);
    await page.fill('input[name=system]', 'vss-trace-view');
    await page.click('#journal-search button');
    await page.locator(`#journal-results a.trace[data-trace="${traceId}"]`).click();
    await expect.poll(() => page.locator(`table.waterfall[data-trace-id="${traceId}"]`).count(), { timeout: 10_000 }).toBe(1);
    const names = await rowNames();
    expect(names[0]).toBe(server);
    expect(names).toEqual(expect.arrayContaining(['exchange.enforce', 'store.read', 'journal.append']));
    const view = (await page.locator('#trace').textContent()) ?? '';
    expect(view).toContain('dancu-hub');
    expect(view).toMatch(/\d+(\.\d+)? ms/);
    for (const personal of [citizen._id, String(citizen.fields.fullName!.value)]) expect(view).not.toContain(personal);
    await page.locator('#trace').screenshot({ path: artifactPath('trace-lookup.png') });
  });

  it('R26, R35: an ingested record’s event id opens its trace from the connector’s read to the change feed, across both services', async () => {
    const personalId = `001090${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const changes = await tapTopic(CHANGES_TOPIC);
    const publisher = new RecordPublisher(testKafka());
    try {
      const summary = await runSourceConnector({
        source: 'residence',
        items: [{ position: 1, record: residenceRecord(personalId) }],
        toEvent: SOURCE_DEFINITIONS.residence.toEvent,
        publisher,
        checkpoint: new FileCheckpoint(join(await mkdtemp(join(tmpdir(), 'dancu-trace-view-')), 'feed.json')),
        tracer: tracing.tracer(connectorService('residence')),
      });
      expect(summary.published).toBe(1);
      const change = await waitFor('the change on dancu.changes.v1', async () =>
        changes.records
          .map((record) => JSON.parse(String(record.value)) as { personalId: string; eventId: string })
          .find((each) => each.personalId === personalId),
      );
      await tracing.forceFlush();
      const expected = [
        'connector.read',
        `send ${SOURCE_TOPIC}`,
        `process ${SOURCE_TOPIC}`,
        'hub.validate',
        'store.write',
        `send ${CHANGES_TOPIC}`,
      ];
      const found = await traceThroughAdmin(`/api/traces?event=${change.eventId}`, expected);

      await page.fill('#trace-search input[name=id]', change.eventId);
      await page.click('#trace-search button');
      await expect.poll(() => page.locator(`table.waterfall[data-trace-id="${found.traceId}"]`).count(), { timeout: 10_000 }).toBe(1);
      const names = await rowNames();
      expect(names.slice(0, 3)).toEqual(['connector.read', `send ${SOURCE_TOPIC}`, `process ${SOURCE_TOPIC}`]);
      expect(names).toEqual(expect.arrayContaining(expected));
      expect(await page.locator('table.waterfall tr[data-service="dancu-connector-residence"]').count()).toBe(2);
      expect(await page.locator('table.waterfall tr[data-service="dancu-hub"]').count()).toBeGreaterThanOrEqual(4);
      const view = (await page.locator('#trace').textContent()) ?? '';
      expect(view).toContain('services: dancu-connector-residence, dancu-hub');
      for (const personal of [personalId, NAME, 'Phường Láng']) expect(view).not.toContain(personal);
      await page.locator('#trace').screenshot({ path: artifactPath('trace-ingest.png') });
    } finally {
      await publisher.close();
      await changes.stop();
    }
  });
});

function residenceRecord(personalId: string): Record<string, string> {
  return {
    ma_ho_so: `TV-${personalId}`,
    loai_cu_tru: 'NOI_O_HIEN_TAI',
    so_dinh_danh: personalId,
    ho_ten: NAME,
    dia_chi_tinh: 'Hà Nội',
    dia_chi_xa: 'Phường Láng',
    dia_chi_chi_tiet: 'Số 12',
    ngay_dang_ky: '02/05/2024 09:15:00',
  };
}
