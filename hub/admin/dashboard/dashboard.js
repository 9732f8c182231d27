// The operator dashboard's script: polls the admin port's JSON and draws it, no framework and no
// build step. Polling, not Server-Sent Events: every answer is a plain JSON document that curl and
// scripts can read too, a hub restart needs no reconnect logic (the next poll just works), and the
// admin server keeps no open connections that would hold up its close. The history behind the
// charts lives in the hub, so a page opened late still shows the last minutes.
'use strict';

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
      .map((point) => `${(((point.at - first) / span) * width).toFixed(1)},${(height - 2 - (point.value / top) * (height - 4)).toFixed(1)}`);
    const area = document.createElementNS(SVG, 'polygon');
    area.setAttribute('class', 'area');
    area.setAttribute('points', `${xy[0].split(',')[0]},${height} ${xy.join(' ')} ${xy[xy.length - 1].split(',')[0]},${height}`);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', xy.join(' '));
    svg.append(area, line);
  }
  return el('figure', { class: 'chart' }, svg, el('figcaption', {}, el('span', {}, label), el('span', {}, latest === null ? '—' : `${latest.toFixed(1)} ${unit}`)));
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
    connector.lastError ? el('div', { class: 'reason' }, `last error ${time(connector.lastError.at)}: ${connector.lastError.message}`) : null,
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
      sparkline('throughput', feed.series.map((point) => ({ at: point.at, value: point.perSecond })), 'rec/s'),
      sparkline('lag', feed.series.map((point) => ({ at: point.at, value: point.lag })), 'rec'),
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
      .replaceChildren(...(others.length > 0 ? [el('h3', {}, 'Other connectors'), el('ul', { class: 'connectors' }, others.map(connectorItem))] : []));
    heard(true);
  } catch (error) {
    heard(false, error.message);
  }
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
        el('td', {}, Object.entries(group.bySourceTopic).map(([topic, n]) => `${topic} ${n}`).join(', ')),
        el('td', {}, time(group.firstRejectedAt)),
        el('td', {}, time(group.lastRejectedAt)),
        el(
          'td',
          {},
          el('div', {}, `${group.latest.path ? `${group.latest.path}: ` : ''}${group.latest.detail}`),
          el('div', { class: 'topic' }, `${group.latest.sourceTopic}[${group.latest.partition}]@${group.latest.offset}`),
        ),
      ),
    );
    document
      .querySelector('#dead-letters tbody')
      .replaceChildren(...(rows.length > 0 ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: 6 }, 'the dead-letter queue is empty'))]));
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
    el('td', {}, entry.traceUrl ? el('a', { class: 'trace', href: entry.traceUrl, target: '_blank', rel: 'noopener noreferrer' }, `${entry.traceId.slice(0, 8)}…`) : '—'),
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
      .replaceChildren(...(entries.length > 0 ? entries.map(journalRow) : [el('tr', { class: 'empty' }, el('td', { colspan: 9 }, 'no journal entries match'))]));
    document.getElementById('journal-summary').textContent = `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, newest first; field names and decisions only, never values.`;
  } catch (failure) {
    error.textContent = failure.message;
    document.querySelector('#journal-results tbody').replaceChildren();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('journal-search');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    searchJournal(form);
  });
  every(OVERVIEW_EVERY_MS, refreshOverview);
  every(DEAD_LETTERS_EVERY_MS, refreshDeadLetters);
});
