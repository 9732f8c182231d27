import { describe, expect, it } from 'vitest';
import { TraceSource, TraceUnavailable, waterfall } from './trace-view.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const tag = (key: string, value: unknown) => ({ key, value });

/** A Jaeger answer as its query API gives it: a connector's send, the hub's consume with two children. */
function jaegerTrace() {
  return {
    traceID: TRACE,
    processes: {
      p1: { serviceName: 'dancu-connector-residence' },
      p2: { serviceName: 'dancu-hub' },
      p3: { serviceName: 'someone-elses-service' },
    },
    spans: [
      {
        traceID: TRACE,
        spanID: 'b',
        operationName: 'process dancu.source.residence.v1',
        processID: 'p2',
        startTime: 1_000_500,
        duration: 4_000,
        references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'a' }],
        tags: [
          tag('span.kind', 'consumer'),
          tag('dancu.outcome', 'rejected'),
          tag('error', true),
          tag('otel.status_description', 'future-dated: "2099-01-01" for 001090012345'),
        ],
      },
      {
        traceID: TRACE,
        spanID: 'a',
        operationName: 'send dancu.source.residence.v1',
        processID: 'p1',
        startTime: 1_000_000,
        duration: 300,
        tags: [
          tag('messaging.destination.name', 'dancu.source.residence.v1'),
          tag('dancu.event_id', '5b0f3c8e-2f47-4a8e-9c1d-623456789012'),
        ],
      },
      {
        traceID: TRACE,
        spanID: 'd',
        operationName: 'store.write',
        processID: 'p2',
        startTime: 1_002_000,
        duration: 1_000,
        references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'b' }],
        tags: [tag('db.system.name', 'mongodb')],
      },
      {
        traceID: TRACE,
        spanID: 'c',
        operationName: 'hub.validate',
        processID: 'p2',
        startTime: 1_000_600,
        duration: 100,
        references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'b' }],
        tags: [],
      },
      // Another producer exporting to the same Jaeger, with personal data in its attributes.
      {
        traceID: TRACE,
        spanID: 'e',
        operationName: 'lookup citizen',
        processID: 'p3',
        startTime: 1_003_000,
        duration: 500,
        references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'b' }],
        tags: [
          tag('citizen.name', 'Nguyễn Văn An'),
          tag('http.url', '/citizens/001090012345'),
          tag('dancu.note', 'id 001090012345 "Nguyễn"'),
        ],
      },
    ],
  };
}

function answering(status: number, body: unknown): typeof fetch {
  return (async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;
}

describe("the dashboard's trace view", () => {
  it('R35: draws a trace as a waterfall in tree order, with each span’s service, start, duration and errors', () => {
    const view = waterfall(jaegerTrace());
    expect(view.spans.map((span) => [span.name, span.depth, span.service])).toEqual([
      ['send dancu.source.residence.v1', 0, 'dancu-connector-residence'],
      ['process dancu.source.residence.v1', 1, 'dancu-hub'],
      ['hub.validate', 2, 'dancu-hub'],
      ['store.write', 2, 'dancu-hub'],
      ['lookup citizen', 2, 'someone-elses-service'],
    ]);
    expect(view).toMatchObject({
      traceId: TRACE,
      durationMs: 4.5,
      errors: 1,
      services: ['dancu-connector-residence', 'dancu-hub', 'someone-elses-service'],
    });
    const consume = view.spans[1]!;
    expect(consume).toMatchObject({ startMs: 0.5, durationMs: 4, error: true, kind: 'consumer', parentId: 'a' });
    expect(view.spans[0]!.attributes['dancu.event_id']).toBe('5b0f3c8e-2f47-4a8e-9c1d-623456789012');
  });

  it('R22, R35: hands the page only allowlisted attributes, and error texts without quoted values or personal ids', () => {
    const view = waterfall(jaegerTrace());
    const everything = JSON.stringify(view);
    for (const personal of ['Nguyễn', '001090012345', '2099-01-01']) expect(everything).not.toContain(personal);
    expect(view.spans[4]!.attributes).toEqual({ 'dancu.note': 'id ••• "…"' });
    expect(view.attributesWithheld).toBe(2);
    expect(view.spans[1]!.status).toBe('future-dated: "…" for •••');
  });

  it('R22: asks Jaeger only for a well-formed trace or event id; anything else is refused before any request', async () => {
    const asked: string[] = [];
    const source = new TraceSource({
      jaegerUrl: 'http://127.0.0.1:16686/',
      hubExports: true,
      fetch: (async (url: string) => (asked.push(url), new Response(JSON.stringify({ data: [jaegerTrace()] })))) as unknown as typeof fetch,
    });
    for (const bad of ['../../api/services', `${TRACE}/../x`, '00000000000000000000000000000000', 'zz'.repeat(16)]) {
      await expect(source.trace(bad)).rejects.toMatchObject({ status: 400 });
    }
    await expect(source.traceOfEvent('not-an-event')).rejects.toMatchObject({ status: 400 });
    expect(asked).toEqual([]);
    expect((await source.trace(TRACE.toUpperCase())).traceId).toBe(TRACE);
    expect(asked).toEqual([`http://127.0.0.1:16686/api/traces/${TRACE}`]);
    await source.traceOfEvent('5B0F3C8E-2F47-4A8E-9C1D-623456789012');
    const search = new URL(asked[1]!);
    expect(search.pathname).toBe('/api/traces');
    expect(search.searchParams.get('service')).toBe('dancu-hub');
    expect(JSON.parse(search.searchParams.get('tags')!)).toEqual({ 'dancu.event_id': '5b0f3c8e-2f47-4a8e-9c1d-623456789012' });
  });

  it('says plainly when tracing is off, when Jaeger does not answer, and when it has no such trace', async () => {
    const off = new TraceSource({ jaegerUrl: undefined, hubExports: false });
    expect(off.status()).toMatchObject({ state: 'off', message: expect.stringContaining('Tracing is off') });
    await expect(off.trace(TRACE)).rejects.toMatchObject({ status: 503, message: expect.stringContaining('Tracing is off') });

    const quiet = new TraceSource({ jaegerUrl: 'http://127.0.0.1:16686', hubExports: false });
    expect(quiet.status().message).toContain('This hub exports no spans');

    const refusing = new TraceSource({
      jaegerUrl: 'http://127.0.0.1:9',
      hubExports: true,
      fetch: (async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      }) as typeof fetch,
    });
    await expect(refusing.trace(TRACE)).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('does not answer (ECONNREFUSED)'),
    });

    const empty = new TraceSource({
      jaegerUrl: 'http://127.0.0.1:16686',
      hubExports: true,
      fetch: answering(404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] }),
    });
    const missing = await empty.trace(TRACE).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(TraceUnavailable);
    expect(missing).toMatchObject({ status: 404, message: expect.stringContaining(`Jaeger has no trace ${TRACE}`) });
  });
});
