// R36: the open incidents and support requests, from /api/support every 10 s. Uses el, getJson,
// time and every from dashboard.js (loaded first). Operators answer and close them with
// `dancu support answer | close`.
async function refreshSupport() {
  const summary = document.getElementById('support-summary');
  try {
    const { tickets } = await getJson('/api/support');
    const rows = tickets.map((ticket) =>
      el(
        'tr',
        { 'data-ticket': ticket.id, class: `severity-${ticket.severity}` },
        el('td', { class: 'mono' }, ticket.id),
        el('td', {}, ticket.kind),
        el('td', {}, ticket.severity),
        el('td', {}, ticket.organisation),
        el('td', {}, ticket.subject),
        el('td', {}, time(ticket.openedAt)),
        el('td', {}, ticket.awaiting === 'operator' ? 'an operator' : 'the organisation'),
      ),
    );
    document
      .querySelector('#support-tickets tbody')
      .replaceChildren(...(rows.length > 0 ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: 7 }, 'no open ticket'))]));
    summary.textContent = `${tickets.length} open ticket(s). Read one with dancu support show <ticket>; answer with dancu support answer, close with dancu support close.`;
  } catch (error) {
    summary.textContent = `could not read the support desk: ${error.message}`;
  }
}

every(10_000, refreshSupport);
