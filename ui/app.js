// sentinel-ts dashboard: plain browser JavaScript, no build step. It reads the sentinel's JSON
// API and follows its event stream; every value is written with textContent (never as HTML).
'use strict';

const state = { masters: [], details: new Map(), failovers: [], lastEventId: 0 };
const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.appendChild(c);
    else td.textContent = c === undefined || c === null ? '' : String(c);
    tr.appendChild(td);
  }
  return tr;
}

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

function flagsNode(flags) {
  const span = el('span', null, 'flags');
  for (const f of flags) {
    if (f === '') continue;
    const bad = ['s_down', 'o_down', 'disconnected', 'fenced'].includes(f);
    const warn = f.includes('failover') || f.startsWith('reconf') || f === 'promoted';
    span.appendChild(el('span', f, bad ? 'flag-bad' : warn ? 'flag-warn' : ''));
  }
  return span;
}

function ago(ms) {
  const n = Number(ms);
  if (!Number.isFinite(n)) return '';
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

function renderMaster(card, d) {
  $('.name', card).textContent = d.name;
  $('.addr', card).textContent = d.address;
  $('.flags', card).replaceWith(flagsNode(d.flags));
  const m = d.master;
  $('.meta', card).textContent =
    `config epoch ${d.config_epoch} · current epoch ${d.current_epoch} · quorum ${m.quorum} · down-after ${m['down-after-milliseconds']} ms · ` +
    `last ok ping ${ago(m['last-ok-ping-reply'])} ago · failover ${d.failover_state}`;
  const masterOffset = Math.max(0, ...d.replicas.map((r) => Number(r['slave-repl-offset']) || 0));
  const rb = $('.replicas tbody', card);
  rb.replaceChildren(
    ...d.replicas.map((r) =>
      row([el('span', `${r.ip}:${r.port}`, 'mono'), flagsNode((r.flags || '').split(',')), r['master-link-status'], r['slave-priority'], r['slave-repl-offset'], `${masterOffset - (Number(r['slave-repl-offset']) || 0)} B`]),
    ),
  );
  const sb = $('.sentinels tbody', card);
  sb.replaceChildren(
    ...d.sentinels.map((s) => row([el('span', `${s.ip}:${s.port}`, 'mono'), el('span', (s.runid || '').slice(0, 8), 'mono'), flagsNode((s.flags || '').split(',')), `${ago(s['last-hello-message'])} ago`, s['voted-leader'] === '?' ? '' : `${s['voted-leader'].slice(0, 8)}@${s['voted-leader-epoch']}`])),
  );
}

function renderPlan(card, plan) {
  const box = $('.plan', card);
  const verdict = plan.wouldStart ? `would start (epoch ${plan.epoch}), promoting ${plan.selected}` : `would not start: ${plan.blocker ? plan.blocker.message : 'blocked'}`;
  const t = el('table');
  t.appendChild(row(['rank', 'replica', 'priority', 'offset', 'eligible / why not']));
  for (const r of plan.replicas) t.appendChild(row([r.rank || '', `${r.host}:${r.port}`, r.priority, r.offset, r.eligible ? 'yes' : `${r.excludedBy}: ${r.reason}`]));
  box.replaceChildren(el('p', verdict, 'verdict'), t);
  box.dataset.selected = plan.selected || '';
}

async function dryRun(card, name) {
  const mode = $('.mode', card).value;
  const res = await fetch(`/v1/masters/${encodeURIComponent(name)}/failover`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mode, dry_run: true }),
  });
  const body = await res.json();
  if (!res.ok) {
    $('.plan', card).replaceChildren(el('p', body.error || `HTTP ${res.status}`, 'verdict'));
    return;
  }
  renderPlan(card, body);
}

function renderMasters() {
  const root = $('#masters');
  const tpl = $('#master-card');
  const cards = [];
  for (const m of state.masters) {
    const d = state.details.get(m.name);
    if (!d) continue;
    let card = root.querySelector(`article[data-master="${CSS.escape(m.name)}"]`);
    if (!card) {
      card = tpl.content.firstElementChild.cloneNode(true);
      card.dataset.master = m.name;
      $('.dry-run', card).addEventListener('click', () => void dryRun(card, m.name));
    }
    renderMaster(card, d);
    cards.push(card);
  }
  root.replaceChildren(...cards);
}

function renderFailovers() {
  const tb = $('#failovers tbody');
  tb.replaceChildren(
    ...state.failovers.slice(0, 20).map((f) =>
      row([new Date(f.startedAt).toLocaleTimeString(), f.master, f.trigger, `${f.oldMaster || '?'} → ${f.newMaster || '?'}`, f.abort ? `${f.result} (${f.abort})` : f.result]),
    ),
  );
}

function addEvent(e) {
  const list = $('#events');
  const li = el('li');
  li.appendChild(el('span', new Date(e.time).toLocaleTimeString(), 't'));
  li.appendChild(el('span', `${e.event} ${e.message}`));
  list.prepend(li);
  while (list.children.length > 200) list.lastElementChild.remove();
}

async function refresh() {
  try {
    const list = await getJSON('/v1/masters');
    state.masters = list.masters;
    const details = await Promise.all(list.masters.map((m) => getJSON(`/v1/masters/${encodeURIComponent(m.name)}`)));
    state.details = new Map(details.map((d) => [d.name, d]));
    state.failovers = (await getJSON('/v1/failovers')).failovers;
    if (details[0]) $('#epoch').textContent = `current epoch ${details[0].current_epoch}`;
    renderMasters();
    renderFailovers();
  } catch (err) {
    $('#conn').textContent = String(err.message || err);
    $('#conn').className = 'pill bad';
  }
}

let pending = null;
function refreshSoon() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    void refresh();
  }, 150);
}

async function start() {
  const history = await getJSON('/v1/events?since=0');
  for (const e of history.events.slice(-200)) addEvent(e);
  state.lastEventId = history.last_id;
  await refresh();
  const es = new EventSource(`/v1/events/stream?since=${state.lastEventId}`);
  es.addEventListener('open', () => {
    $('#conn').textContent = 'live';
    $('#conn').className = 'pill ok';
  });
  es.addEventListener('error', () => {
    $('#conn').textContent = 'reconnecting…';
    $('#conn').className = 'pill bad';
  });
  es.addEventListener('sentinel', (msg) => {
    addEvent(JSON.parse(msg.data));
    refreshSoon();
  });
  // The stream says what changed; a slow poll keeps times (last ping, hello) current.
  setInterval(() => void refresh(), 5000);
}

void start();
