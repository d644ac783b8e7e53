// The live view (O04): events from /api/live/events move along the diagram's edges; gauges come with them.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const nodes = {};
  const edges = {};
  const columns = { client: { x: 70, n: 0 }, hub: { x: 300, n: 0 }, topic: { x: 590, n: 0 }, system: { x: 880, n: 0 } };
  const systems = ['quote-engine', 'rating', 'customers', 'pas', 'billing', 'claims', 'documents', 'notifications', 'audit'];
  const topics = ['insurance.quote.events', 'insurance.policy.events', 'insurance.claim.events', 'insurance.billing.events', 'insurance.customer.events'];
  let received = 0;

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (parent) parent.appendChild(e);
    return e;
  }

  function node(id) {
    if (nodes[id]) return nodes[id];
    const kind = id === 'hub' || id === 'client' ? id : id.split(':')[0];
    const label = id.includes(':') ? id.substring(id.indexOf(':') + 1) : id;
    const column = columns[kind] || columns.system;
    const y = kind === 'hub' || kind === 'client' ? 280 : 30 + column.n++ * (kind === 'topic' ? 52 : 48);
    const width = kind === 'topic' ? 200 : 130;
    const g = el('g', { class: 'node ' + kind + (label.includes('dlq') || label.includes('dead') ? ' dlq' : ''), 'data-node': id },
      document.getElementById('nodes'));
    el('rect', { x: column.x - width / 2, y: y - 16, width: width, height: 32 }, g);
    const text = el('text', { x: column.x, y: y - 3 }, g);
    text.textContent = label;
    const count = el('text', { x: column.x, y: y + 10, class: 'count' }, g);
    count.textContent = '0';
    nodes[id] = { x: column.x, y: y, count: count, n: 0 };
    return nodes[id];
  }

  function edge(from, to) {
    const key = from + '>' + to;
    if (!edges[key]) {
      const a = node(from), b = node(to);
      edges[key] = el('line', { class: 'edge', x1: a.x, y1: a.y, x2: b.x, y2: b.y }, document.getElementById('edges'));
    }
    return edges[key];
  }

  function move(event) {
    edge(event.from, event.to);
    const a = node(event.from), b = node(event.to);
    const dot = el('circle', { class: 'dot' + (event.failed ? ' failed' : ''), r: 5, cx: a.x, cy: a.y }, document.getElementById('dots'));
    const start = performance.now();
    function frame(now) {
      const t = Math.min(1, (now - start) / 700);
      dot.setAttribute('cx', a.x + (b.x - a.x) * t);
      dot.setAttribute('cy', a.y + (b.y - a.y) * t);
      if (t < 1) requestAnimationFrame(frame); else { dot.remove(); b.count.textContent = String(++b.n); }
    }
    requestAnimationFrame(frame);
  }

  function table(id, values, render) {
    const body = document.querySelector('#' + id + ' tbody');
    body.textContent = '';
    if (values === 'n/a' || values == null) {
      body.innerHTML = '<tr><td>n/a</td></tr>';
      return;
    }
    const entries = Object.entries(values);
    if (entries.length === 0) body.innerHTML = '<tr><td>none</td></tr>';
    entries.forEach(([k, v]) => {
      const row = document.createElement('tr');
      const name = document.createElement('td'); name.textContent = k;
      const value = document.createElement('td'); value.className = 'n';
      render(value, v);
      row.append(name, value);
      body.appendChild(row);
    });
  }
  const number = (cell, v) => { cell.textContent = typeof v === 'number' ? String(Math.round(v)) : String(v); };

  function metrics(m) {
    table('flows', m.flows, number);
    table('lag', m.lag, number);
    table('dead-letters', m.deadLetters, number);
    table('breakers', m.breakers, (cell, v) => { cell.textContent = v; cell.classList.add(v); });
    document.getElementById('events-dropped').textContent = String(m.dropped);
  }

  function connect() {
    const source = new EventSource('/api/live/events');
    const status = document.getElementById('connection');
    source.onopen = () => { status.textContent = 'live'; status.className = 'on'; };
    source.onerror = () => { status.textContent = 'reconnecting…'; status.className = 'off'; };
    source.addEventListener('flow', e => {
      received++;
      document.getElementById('events-received').textContent = String(received);
      move(JSON.parse(e.data));
    });
    source.addEventListener('metrics', e => metrics(JSON.parse(e.data)));
  }

  // the simulator, with the session's CSRF token
  let csrf = null;
  let runId = null;
  async function headers() {
    if (!csrf) csrf = await (await fetch('/api/live/session')).json();
    const h = { 'Content-Type': 'application/json' };
    if (csrf.header) h[csrf.header] = csrf.token;
    return h;
  }
  function showRun(run) {
    document.getElementById('run').textContent = run.detail ? run.detail
      : run.scenario + ' ' + run.state + ': sent ' + run.sent + ', ok ' + run.ok + ', failed ' + run.failed + ', skipped ' + run.skipped + ', invalid ' + run.invalid;
    document.getElementById('stop').disabled = !(run.state === 'RUNNING');
    if (run.id) { runId = run.id; document.getElementById('run').dataset.id = run.id; }
  }
  document.getElementById('simulator').addEventListener('submit', async e => {
    e.preventDefault();
    const body = JSON.stringify({ scenario: document.getElementById('scenario').value,
      durationSeconds: Number(document.getElementById('duration').value) });
    const answer = await fetch('/api/simulator/runs', { method: 'POST', headers: await headers(), body: body });
    showRun(await answer.json());
  });
  document.getElementById('stop').addEventListener('click', async () => {
    if (runId) showRun(await (await fetch('/api/simulator/runs/' + runId, { method: 'DELETE', headers: await headers() })).json());
  });
  setInterval(async () => {
    if (!runId) return;
    const answer = await fetch('/api/simulator/runs/' + runId);
    if (answer.ok) showRun(await answer.json());
  }, 1000);

  node('client'); node('hub');
  topics.forEach(t => node('topic:' + t));
  systems.forEach(s => node('system:' + s));
  connect();
}());
