// The operator dashboard's script: polls the admin port's JSON and draws it, no framework and no
// build step. Polling, not Server-Sent Events: every answer is a plain JSON document that curl and
// scripts can read too, a hub restart needs no reconnect logic (the next poll just works), and the
// admin server keeps no open connections that would hold up its close. The history behind the
// charts lives in the hub, so a page opened late still shows the last minutes.

const OVERVIEW_EVERY_MS = 2000;
const DEAD_LETTERS_EVERY_MS = 5000;
const STATE_TEXT = { healthy: '✓ healthy', degraded: '! degraded', down: '✕ down', unknown: '? unknown' };
const SVG = 'http://www.w3.org/2000/svg';

/** An element with attributes and children; text always goes in as text, never as HTML. */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

function count(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString('en-US');
}

/** Local time as 2025-01-31 08:00:05: unambiguous whatever the browser's locale. */
function time(iso) {
  if (!iso) return '—';
  const at = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${path} answered ${response.status}`);
  return body;
}

/** Repeats `task` every `everyMs`, waiting for each run to finish so slow answers never pile up. */
function every(everyMs, task) {
  const run = async () => {
    try {
      await task();
    } finally {
      setTimeout(run, everyMs);
    }
  };
  run();
}

// ---- freshness: says when the page last heard from the hub, loudly when it stopped hearing

let lastHeard = null;
function heard(ok, problem) {
  const line = document.getElementById('freshness');
  if (ok) {
    lastHeard = new Date();
    line.className = 'freshness';
    line.textContent = `live — updated ${lastHeard.toLocaleTimeString('en-GB', { hour12: false })}`;
  } else {
    line.className = 'freshness stale';
    line.textContent = `stale — ${problem}${lastHeard ? `; last update ${lastHeard.toLocaleTimeString('en-GB', { hour12: false })}` : ''}`;
  }
}

// ---- charts: a sparkline per series, drawn as inline SVG

/** `points`: { at, value } oldest first; a null value (lag unknown) is left out of the line. */
function sparkline(label, points, unit) {
  const width = 200;
  const height = 40;
  const values = points.map((point) => point.value).filter((value) => value !== null);
  const latest = values.length > 0 ? values[values.length - 1] : null;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const title = document.createElementNS(SVG, 'title');
  title.textContent = `${label}: ${points.length} samples, latest ${latest === null ? 'unknown' : latest.toFixed(1)} ${unit}`;
  svg.append(title);
  if (points.length >= 2) {
    const top = Math.max(1, ...values);
    const first = points[0].at;
    const span = Math.max(1, points[points.length - 1].at - first);
    const xy = points
      .filter((point) => point.value !== null)
      .map(
        (point) => `${(((point.at - first) / span) * width).toFixed(1)},${(height - 2 - (point.value / top) * (height - 4)).toFixed(1)}`,
      );
    const area = document.createElementNS(SVG, 'polygon');
    area.setAttribute('class', 'area');
    area.setAttribute('points', `${xy[0].split(',')[0]},${height} ${xy.join(' ')} ${xy[xy.length - 1].split(',')[0]},${height}`);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', xy.join(' '));
    svg.append(area, line);
  }
  return el(
    'figure',
    { class: 'chart' },
    svg,
    el('figcaption', {}, el('span', {}, label), el('span', {}, latest === null ? '—' : `${latest.toFixed(1)} ${unit}`)),
  );
}

// ---- source feeds

function stateBadge(state) {
  return el('span', { class: `state ${state}`, 'data-state': state }, STATE_TEXT[state] || state);
}

function connectorItem(connector) {
  return el(
    'li',
    { 'data-connector': connector.connector },
    el('strong', {}, connector.connector),
    ' ',
    stateBadge(connector.state),
    ` beat ${connector.heartbeatAgeSeconds.toFixed(0)} s ago · published ${count(connector.counts.published)} · rejected ${count(connector.counts.rejected)}`,
    connector.lastError
      ? el('div', { class: 'reason' }, `last error ${time(connector.lastError.at)}: ${connector.lastError.message}`)
      : null,
  );
}

function feedCard(feed) {
  const figure = (name, label, value) => el('div', {}, el('dt', {}, label), el('dd', { 'data-count': name }, count(value)));
  return el(
    'article',
    { class: `feed state-${feed.state}`, 'data-source': feed.source },
    el('h3', {}, el('span', {}, feed.source), stateBadge(feed.state)),
    el('div', { class: 'topic' }, feed.topic),
    el('p', { class: 'reason' }, feed.reason),
    el(
      'dl',
      { class: 'counts' },
      figure('published', 'published', feed.published),
      figure('received', 'received', feed.received),
      figure('applied', 'applied', feed.applied),
      figure('duplicates', 'duplicates', feed.duplicates),
      figure('rejected', 'rejected (hub)', feed.rejected),
      figure('rejected-at-source', 'rejected (source)', feed.rejectedAtSource),
      figure('lag', 'lag', feed.lag),
    ),
    el(
      'div',
      { class: 'charts' },
      sparkline(
        'throughput',
        feed.series.map((point) => ({ at: point.at, value: point.perSecond })),
        'rec/s',
      ),
      sparkline(
        'lag',
        feed.series.map((point) => ({ at: point.at, value: point.lag })),
        'rec',
      ),
    ),
    feed.connectors.length > 0 ? el('ul', { class: 'connectors' }, feed.connectors.map(connectorItem)) : null,
  );
}

async function refreshOverview() {
  try {
    const overview = await getJson('/api/overview');
    const windowMinutes = Math.round(overview.windowMs / 60000);
    document.getElementById('feeds').replaceChildren(...overview.feeds.map(feedCard));
    document.getElementById('feeds-hint').textContent =
      `Counts since this hub started; charts sample every ${overview.sampleIntervalMs / 1000} s over the last ${windowMinutes} minutes.` +
      (overview.connectorHealth ? '' : ' This hub does not report connector health yet: states are unknown.');
    const others = overview.otherConnectors;
    document
      .getElementById('other-connectors')
      .replaceChildren(
        ...(others.length > 0 ? [el('h3', {}, 'Other connectors'), el('ul', { class: 'connectors' }, others.map(connectorItem))] : []),
      );
    const retired = document.getElementById('retired-connectors');
    retired.hidden = overview.retired.length === 0;
    retired.querySelector('summary').textContent = `Retired connectors (history): ${overview.retired.length}`;
    retired.querySelector('ul').replaceChildren(...overview.retired.map(retiredItem));
    heard(true);
  } catch (error) {
    heard(false, error.message);
  }
}

function retiredItem(connector) {
  const by = connector.retirement.by ? `retired by ${connector.retirement.by}` : 'retired automatically';
  return el(
    'li',
    { 'data-retired': connector.connector },
    el('strong', {}, connector.connector),
    ` ${connector.topic} · last heartbeat ${time(connector.lastHeartbeatAt)}${connector.reportedState ? ` (${connector.reportedState})` : ''} · ${by} ${time(connector.retirement.at)}: ${connector.retirement.reason}`,
  );
}

// ---- dead-letter queue

async function refreshDeadLetters() {
  const summary = document.getElementById('dlq-summary');
  try {
    const dlq = await getJson('/api/dead-letters');
    const rows = dlq.reasons.map((group) =>
      el(
        'tr',
        { 'data-reason': group.reason },
        el('td', { class: 'mono' }, group.reason),
        el('td', { class: 'number' }, count(group.count)),
        el(
          'td',
          {},
          Object.entries(group.bySourceTopic)
            .map(([topic, n]) => `${topic} ${n}`)
            .join(', '),
        ),
        el('td', {}, time(group.firstRejectedAt)),
        el('td', {}, time(group.lastRejectedAt)),
        el(
          'td',
          {},
          el('div', {}, `${group.latest.path ? `${group.latest.path}: ` : ''}${group.latest.detail}`),
          el(
            'div',
            { class: 'topic' },
            `${group.latest.sourceTopic}[${group.latest.partition}]@${group.latest.offset}`,
            group.latest.traceId ? ' · ' : '',
            group.latest.traceId ? traceLink(group.latest.traceId) : null,
          ),
        ),
      ),
    );
    document
      .querySelector('#dead-letters tbody')
      .replaceChildren(
        ...(rows.length > 0 ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: 6 }, 'the dead-letter queue is empty'))]),
      );
    summary.textContent =
      `${count(dlq.total)} dead letter(s)${dlq.unreadable > 0 ? `, ${dlq.unreadable} record(s) that are not dead letters` : ''}; read ${time(dlq.readAt)}.` +
      (dlq.error ? ` ${dlq.error}` : '') +
      ' Details have quoted values taken out; dancu dlq list and dancu dlq replay act on the letters themselves.';
  } catch (error) {
    summary.textContent = `could not read the dead-letter queue: ${error.message}`;
  }
}

// ---- journal search

function journalRow(entry) {
  return el(
    'tr',
    { 'data-sequence': entry.sequence },
    el('td', {}, time(entry.at)),
    el('td', {}, entry.act),
    el('td', { class: 'mono' }, entry.action),
    el('td', {}, entry.system || '—', entry.organisation ? el('div', { class: 'topic' }, entry.organisation) : null),
    el('td', { class: `decision-${entry.decision}` }, entry.decision, entry.reason ? ` (${entry.reason})` : ''),
    el('td', { class: 'mono' }, entry.fields.join(', ') || '—'),
    el('td', { class: 'number' }, count(entry.citizens)),
    el('td', {}, entry.detail || ''),
    el('td', {}, entry.traceId ? traceLink(entry.traceId) : '—'),
  );
}

async function searchJournal(form) {
  const error = document.getElementById('journal-error');
  const params = new URLSearchParams();
  for (const name of ['citizen', 'system']) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  for (const name of ['since', 'until']) {
    const value = form.elements[name].value; // local time from the picker: sent as an instant
    if (value) params.set(name, new Date(value).toISOString());
  }
  try {
    const { entries } = await getJson(`/api/journal?${params}`);
    error.textContent = '';
    document
      .querySelector('#journal-results tbody')
      .replaceChildren(
        ...(entries.length > 0
          ? entries.map(journalRow)
          : [el('tr', { class: 'empty' }, el('td', { colspan: 9 }, 'no journal entries match'))]),
      );
    document.getElementById('journal-summary').textContent =
      `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, newest first; field names and decisions only, never values.`;
  } catch (failure) {
    error.textContent = failure.message;
    document.querySelector('#journal-results tbody').replaceChildren();
  }
}

// ---- trace view: a waterfall of one trace, read by the hub from Jaeger (never from the browser)

const TRACE_ID = /^[0-9a-f]{32}$/i;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A link that opens the trace in this page's trace view. */
function traceLink(traceId) {
  return el('a', { class: 'trace', href: `#trace=${traceId}`, 'data-trace': traceId }, `trace ${traceId.slice(0, 8)}…`);
}

function milliseconds(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

function spanRow(span, total, serviceIndex) {
  const left = total > 0 ? (span.startMs / total) * 100 : 0;
  const width = total > 0 ? Math.max(0.3, (span.durationMs / total) * 100) : 100;
  const attributes = Object.entries(span.attributes).map(([key, value]) => `${key}=${value}`);
  // Positions through the CSSOM: the page's Content-Security-Policy refuses style attributes.
  const name = el(
    'td',
    { class: 'span-name' },
    el('span', { class: 'mono' }, span.name),
    span.kind ? el('span', { class: 'kind' }, ` ${span.kind}`) : null,
    span.error ? el('div', { class: 'span-error' }, `✕ error${span.status ? `: ${span.status}` : ''}`) : null,
    attributes.length > 0
      ? el(
          'details',
          {},
          el('summary', {}, `${attributes.length} attribute(s)`),
          el('div', { class: 'mono attributes' }, attributes.join('\n')),
        )
      : null,
  );
  name.style.paddingLeft = `${0.5 + span.depth * 1.1}rem`;
  const bar = el('div', {
    class: `bar service-${serviceIndex % 4}`,
    title: `${span.name}: starts at ${milliseconds(span.startMs)}, lasts ${milliseconds(span.durationMs)}`,
  });
  bar.style.left = `${left.toFixed(2)}%`;
  bar.style.width = `${Math.min(width, 100 - left).toFixed(2)}%`;
  return el(
    'tr',
    { class: span.error ? 'span error' : 'span', 'data-span': span.name, 'data-service': span.service },
    el('td', { class: 'service' }, span.service),
    name,
    el('td', { class: 'bar-cell' }, bar),
    el('td', { class: 'number' }, milliseconds(span.durationMs)),
  );
}

function drawTrace(view) {
  const summary = el(
    'p',
    { class: 'trace-summary' },
    el('strong', { class: 'mono' }, view.traceId),
    ` · started ${time(view.startedAt)} · ${milliseconds(view.durationMs)} · ${view.spans.length} span(s) · services: ${view.services.join(', ')}`,
    view.errors > 0 ? el('span', { class: 'decision-failed' }, ` · ${view.errors} error(s)`) : ' · no errors',
    view.attributesWithheld > 0
      ? el('span', { class: 'hint' }, ` · ${view.attributesWithheld} attribute(s) not on the allowlist withheld`)
      : null,
  );
  const table = el(
    'table',
    { class: 'waterfall', 'data-trace-id': view.traceId },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'service'),
        el('th', {}, 'span'),
        el('th', { class: 'bar-head' }, `0 — ${milliseconds(view.durationMs)}`),
        el('th', { class: 'number' }, 'duration'),
      ),
    ),
    el(
      'tbody',
      {},
      view.spans.map((span) => spanRow(span, view.durationMs, view.services.indexOf(span.service))),
    ),
  );
  document.getElementById('trace-view').replaceChildren(summary, table);
}

async function showTrace(id) {
  const error = document.getElementById('trace-error');
  const value = id.trim();
  document.querySelector('#trace-search input[name=id]').value = value;
  let path;
  if (TRACE_ID.test(value)) path = `/api/traces/${value.toLowerCase()}`;
  else if (EVENT_ID.test(value)) path = `/api/traces?event=${encodeURIComponent(value.toLowerCase())}`;
  else {
    error.textContent = 'give a trace id (32 hexadecimal digits) or an event id (a UUID)';
    return;
  }
  error.textContent = `reading ${value} from Jaeger…`;
  try {
    drawTrace(await getJson(path));
    error.textContent = '';
  } catch (failure) {
    error.textContent = failure.message;
    document.getElementById('trace-view').replaceChildren();
  }
  document.getElementById('trace').scrollIntoView({ block: 'start' });
}

async function showTracingStatus() {
  const line = document.getElementById('tracing-status');
  try {
    const status = await getJson('/api/tracing');
    line.textContent = status.message;
    line.className = status.state === 'on' && status.hubExports ? 'hint' : 'hint warning';
    document.getElementById('trace').dataset.tracing = status.state;
  } catch (failure) {
    line.textContent = `could not ask the hub about tracing: ${failure.message}`;
  }
}

function traceFromHash() {
  const match = /^#trace=([0-9a-fA-F-]{32,36})$/.exec(window.location.hash);
  if (match) showTrace(match[1]);
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('journal-search');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    searchJournal(form);
  });
  const traceForm = document.getElementById('trace-search');
  traceForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = traceForm.elements.id.value.trim();
    if (window.location.hash === `#trace=${id}`) showTrace(id);
    else window.location.hash = `trace=${id}`;
  });
  window.addEventListener('hashchange', traceFromHash);
  showTracingStatus();
  traceFromHash();
  every(OVERVIEW_EVERY_MS, refreshOverview);
  every(DEAD_LETTERS_EVERY_MS, refreshDeadLetters);
});
