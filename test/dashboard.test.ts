// The operator dashboard in a real headless Chromium (Debian's, found on PATH), on a hub reading
// the real Kafka and FerretDB: the page, its polling and its JSON are tested as operators use them.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { AdminServer } from '../hub/admin/admin-server.ts';
import type { DeadLetterSummary } from '../hub/admin/dead-letter-summary.ts';
import type { ConnectorView, RetiredConnectorView } from '../hub/admin/feed-overview.ts';
import { sourceTopic } from '../kafka/topics.ts';
import type { SourceEvent } from '../schemas/source-event.ts';
import { getWithHost, launchChromium, screenshot } from './dashboard-browser.ts';
import { publishEvents, publishRaw, startTestHub, type TestHub } from './harness.ts';

const seed = () => Math.floor(Math.random() * 1e9) + 1;

function connector(topic: string, state: ConnectorView['state'], reason: string, published: number): ConnectorView {
  return {
    connector: `${topic}.test`,
    topic,
    state,
    reason,
    heartbeatAgeSeconds: 2,
    counts: { published, rejected: 1 },
    lag: 0,
    lastError: null,
  };
}

describe('the operator dashboard in headless Chromium', () => {
  let hub: TestHub;
  let admin: AdminServer;
  let browser: Browser;
  let page: Page;
  let first: SourceEvent[];
  const marker = `broken-${randomUUID()}`;
  // Stands in for the hub's heartbeat monitor (the health branch): the same shape, set by the test.
  const connectors: ConnectorView[] = [
    connector(sourceTopic('civil-status'), 'healthy', 'running, last heartbeat 2.0 s ago', 10),
    connector(
      sourceTopic('residence'),
      'degraded',
      'the hub is 1200 records behind on dancu.source.residence.v1 (degraded above 1000)',
      10,
    ),
    connector(sourceTopic('health'), 'down', 'no heartbeat for 95 s (down after 60 s)', 0),
  ];

  // Stands in for the monitor's history: one connector retired by an officer.
  const retired: RetiredConnectorView[] = [
    {
      connector: 'id-card.import.2026-11-01',
      topic: sourceTopic('id-card'),
      lastHeartbeatAt: '2026-11-01T09:00:00.000Z',
      reportedState: 'stopping',
      retirement: { at: '2026-11-02T08:00:00.000Z', by: 'c06-ops', reason: 'one-off import finished' },
    },
  ];

  beforeAll(async () => {
    hub = await startTestHub();
    admin = await AdminServer.start({
      registry: hub.hub.metrics.registry,
      readiness: () => hub.hub.readiness(),
      dashboard: {
        ingest: hub.hub,
        connectors: async () => connectors,
        retiredConnectors: () => retired,
        sampleIntervalMs: 500,
        deadLetterMaxAgeMs: 1_000,
      },
      port: 0,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    if (page) await screenshot(page, 'dashboard.png');
    await browser?.close();
    await admin?.close();
    await hub?.stop();
  });

  const shown = (source: string, count: string) => page.locator(`[data-source="${source}"] [data-count="${count}"]`).textContent();

  it('R26: each source feed shows its state in words as well as colour, its counts and charts move without a reload, and retired connectors are listed apart as history', async () => {
    first = simulateEvents({ seed: seed(), citizens: 4, sources: ['civil-status'] });
    await page.goto(`${admin.url}/`);
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await expect.poll(() => page.locator('[data-source]').count()).toBe(4);
    expect(await page.locator('[data-source="residence"] .state').first().textContent()).toContain('degraded');
    expect(await page.locator('[data-source="health"] .state').first().textContent()).toContain('down');
    expect(await page.locator('[data-source="residence"] .reason').first().textContent()).toContain('1200 records behind');

    await publishEvents(first);
    await expect.poll(() => shown('civil-status', 'applied'), { timeout: 60_000, interval: 250 }).toBe(String(first.length));
    const more = simulateEvents({ seed: seed(), citizens: 4, sources: ['civil-status'] });
    await publishEvents(more);
    await expect.poll(() => shown('civil-status', 'applied'), { timeout: 60_000, interval: 250 }).toBe(String(first.length + more.length));
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect.poll(() => page.locator('[data-source="civil-status"] polyline').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('#freshness').textContent()).toContain('live');
    // A retired connector is not on its feed's card, only in the folded history.
    expect(await page.locator('[data-source="id-card"] [data-connector]').count()).toBe(0);
    expect(await page.locator('#retired-connectors summary').textContent()).toBe('Retired connectors (history): 1');
    expect(await page.locator('#retired-connectors [data-retired="id-card.import.2026-11-01"]').textContent()).toContain(
      'retired by c06-ops',
    );
  });

  it('R2: the dead-letter panel shows the reasons with a detail stripped of quoted values, never the record', async () => {
    const before = (await (await fetch(`${admin.url}/api/dead-letters`)).json()) as DeadLetterSummary;
    const countBefore = (reason: string) => before.reasons.find((group) => group.reason === reason)?.count ?? 0;
    const victim = simulateEvents({ seed: seed(), citizens: 1, sources: ['residence'] })[0]!;
    await publishRaw(sourceTopic('residence'), [{ key: victim.personalId, value: `{"${marker}": "Nguyễn Văn A"` }]);
    // Keyed by another personal id: the reject detail quotes that key, which the page must not show.
    const wrongKey = `${victim.personalId.slice(0, 11)}${(Number(victim.personalId.at(-1)) + 1) % 10}`;
    await publishRaw(sourceTopic('residence'), [{ key: wrongKey, value: JSON.stringify(victim) }]);
    await expect.poll(() => shown('residence', 'rejected'), { timeout: 60_000, interval: 250 }).toBe('2');
    // Earlier tests' letters are on the topic too (and other runs may add more while this one
    // runs): the panel must count these two on top of what it counted before.
    for (const reason of ['malformed-json', 'id-inconsistent']) {
      const cell = page.locator(`#dead-letters tr[data-reason="${reason}"] td.number`);
      const counted = async () => Number(((await cell.textContent()) ?? '0').replaceAll(',', ''));
      await expect.poll(counted, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(countBefore(reason) + 1);
    }
    const panel = (await page.locator('#dead-letters').textContent()) ?? '';
    expect(panel).toContain('residence');
    expect(panel).not.toContain(marker);
    expect(panel).not.toContain('Nguyễn');
    const json = await (await fetch(`${admin.url}/api/dead-letters`)).text();
    expect(json).not.toContain(marker);
    expect(json).not.toContain(wrongKey);
    expect(json).not.toContain(victim.personalId);
    expect(json).not.toContain('originalValueBase64');
  });

  it('R35: a journal search for a citizen shows their entries (field names, never values), and an entry with a trace id links to its trace view', async () => {
    const citizen = first[0]!.personalId;
    const traceId = randomUUID().replaceAll('-', '');
    // A consumer's Lookup, journaled as the exchange service journals it.
    await hub.hub.journal.append({
      act: 'exchange',
      action: 'Lookup',
      actor: { system: 'test-consumer', organisation: 'Test ministry' },
      citizens: [citizen],
      fields: ['fullName', 'dateOfBirth'],
      agreement: 'agreement-test',
      purpose: 'social-insurance',
      decision: 'allowed',
      traceId,
    });
    await page.fill('input[name=citizen]', citizen);
    await page.click('#journal-search button');
    await expect
      .poll(() => page.locator('#journal-results tbody tr[data-sequence]').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    const rows = (await page.locator('#journal-results tbody').textContent()) ?? '';
    expect(rows).toContain('apply-batch');
    expect(rows).toContain('Lookup');
    expect(rows).toContain('fullName, dateOfBirth');
    for (const value of Object.values(first[0]!.payload)) {
      if (typeof value === 'string' && value.length > 4) expect(rows).not.toContain(value);
    }
    expect(await page.locator('#journal-results a.trace').first().getAttribute('href')).toBe(`#trace=${traceId}`);
    expect(await page.locator('#journal-results a.trace').count()).toBe(1); // ingest entries have no trace id: no link

    // A mistyped personal id is refused with a sentence, on the page and in the JSON.
    await page.fill('input[name=citizen]', '12345');
    await page.click('#journal-search button');
    await expect.poll(() => page.locator('#journal-error').textContent()).toContain('12 digits');
    const refused = await fetch(`${admin.url}/api/journal?citizen=12345`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'citizen must be a personal id of exactly 12 digits' });
    expect((await fetch(`${admin.url}/api/journal?since=yesterday`)).status).toBe(400);

    // Put the good search back for the screenshot.
    await page.fill('input[name=citizen]', citizen);
    await page.click('#journal-search button');
    await expect.poll(() => page.locator('#journal-results a.trace').count()).toBe(1);
  });

  it('R2: the dashboard answers only to loopback names and returns no personal ids in its overview', async () => {
    expect(await getWithHost(`${admin.url}/api/overview`, 'attacker.example:80')).toBe(403);
    expect(await getWithHost(`${admin.url}/`, `localhost:${new URL(admin.url).port}`)).toBe(200);
    const overview = await (await fetch(`${admin.url}/api/overview`)).text();
    for (const event of first) expect(overview).not.toContain(event.personalId);
  });
});
