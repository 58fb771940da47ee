// The dashboard page: hash routes (#/ experiments, #/e/NS/NAME an experiment, #/e/NS/NAME/t/TRIAL a trial) drawn
// from the JSON API, refreshed when the change feed (server-sent events) names what is shown. Every value from the
// store goes into the page as text (textContent), never as HTML.
import { drawTable, tableState } from './table.js';

/** Encodes one path segment of an API or page URL. */
export const enc = encodeURIComponent;

/** Creates an element: attributes (null leaves one out) and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === 'value') node.value = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** GETs a JSON document; an error answer throws its message. */
export async function api(path, init) {
  const res = await fetch(path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

/** A value as the tables show it. */
export function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const main = document.getElementById('main');
const live = document.getElementById('live');
/** What the current route draws again on a change, and which experiment it shows (null: the list). */
let view = { refresh: async () => {}, experiment: null, trial: null };
/** Ends what the previous route left running (a followed log). */
let leave = new AbortController();
const tables = new Map();
const plotKinds = ['history', 'parallel', 'slice', 'contour', 'curves', 'importance', 'rungs', 'pareto'];

function route() {
  leave.abort();
  leave = new AbortController();
  const parts = location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  if (parts[0] === 'e' && parts.length === 3) view = experimentView(parts[1], parts[2]);
  else if (parts[0] === 'e' && parts.length === 5 && parts[3] === 't') view = trialView(parts[1], parts[2], parts[4]);
  else view = listView();
  view.refresh().catch(showError);
}

function showError(e) {
  main.replaceChildren(el('p', { class: 'error', id: 'error' }, String(e.message ?? e)));
}

function listView() {
  return {
    experiment: null,
    refresh: async () => {
      const list = await api('/api/experiments');
      const rows = list.map((x) =>
        el(
          'tr',
          { 'data-experiment': `${x.namespace}/${x.name}` },
          el('td', {}, x.namespace),
          el('td', {}, el('a', { href: `#/e/${enc(x.namespace)}/${enc(x.name)}` }, x.name)),
          el('td', { class: `state-${x.status}` }, x.status),
          el('td', { class: 'num' }, String(x.counts.total)),
          el('td', { class: 'num' }, String(x.counts.succeeded)),
          el('td', { class: 'num' }, String(x.counts.running)),
          el('td', { class: 'num' }, String(x.counts.failed)),
          el('td', { class: 'num' }, fmt(x.best?.objective)),
          el('td', {}, `${x.objective.type ?? ''} ${x.objective.metric ?? ''}`),
          el('td', {}, x.algorithm ?? ''),
          el('td', {}, x.createdAt),
        ),
      );
      const head = [
        'namespace',
        'name',
        'status',
        'trials',
        'succeeded',
        'running',
        'failed',
        'best',
        'objective',
        'algorithm',
        'created',
      ];
      main.replaceChildren(
        el('h1', {}, 'Experiments'),
        list.length === 0
          ? el('p', { class: 'muted' }, 'The store holds no experiments yet.')
          : el(
              'table',
              { id: 'experiments' },
              el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
              el('tbody', {}, ...rows),
            ),
      );
    },
  };
}

async function drawPlot(box, base, plotKind) {
  let spec;
  try {
    spec = await api(`${base}/plots/${plotKind}?part=spec`);
  } catch (e) {
    box.replaceChildren(el('p', { class: 'muted', id: 'plot-message' }, String(e.message)));
    return;
  }
  if (typeof vega === 'undefined' || typeof vegaLite === 'undefined') {
    // The optional peers are missing on the server: the rest of the dashboard works without them.
    box.replaceChildren(
      el('p', { class: 'muted', id: 'plot-message' }, 'plots need vega and vega-lite: npm install vega vega-lite'),
    );
    return;
  }
  const chart = el('div', { id: 'chart', 'data-kind': plotKind });
  box.replaceChildren(chart);
  const v = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: chart, hover: true });
  await v.runAsync();
  // Tests count the drawn marks through the scenegraph.
  window.hpoView = v;
  chart.dataset.drawn = plotKind;
}

function experimentView(ns, name) {
  const base = `/api/experiments/${enc(ns)}/${enc(name)}`;
  const tableBox = el('div', { id: 'table-box' });
  const plotBox = el('div', { id: 'plot-box' });
  const kinds = el('div', { class: 'kinds' });
  let drawnOnce = false;
  let plotKind = 'history';
  const redrawTable = (detail) =>
    drawTable(tableBox, detail, tables.get(base), () => redrawTable(detail).catch(showError));
  for (const k of plotKinds) {
    const b = el('button', { 'data-kind': k, class: k === plotKind ? 'active' : '' }, k);
    b.addEventListener('click', () => {
      plotKind = k;
      for (const other of kinds.children) other.classList.toggle('active', other === b);
      drawPlot(plotBox, base, plotKind).catch(showError);
    });
    kinds.append(b);
  }
  return {
    experiment: [ns, name],
    refresh: async () => {
      const d = await api(base);
      if (!tables.has(base)) tables.set(base, tableState(d));
      const st = tables.get(base);
      // Columns for parameters or metrics that appeared since (a first report) join the table, shown.
      const fresh = tableState(d).columns.filter((c) => !st.columns.includes(c));
      for (const c of fresh) st.shown.add(c);
      st.columns.push(...fresh);
      const summary = el(
        'dl',
        { class: 'summary' },
        el('dt', {}, 'status'),
        el('dd', { id: 'status', class: `state-${d.status}` }, `${d.status} — ${d.reason}: ${d.message}`),
        el('dt', {}, 'controller'),
        el('dd', {}, d.controller.message),
        el('dt', {}, 'objective'),
        el(
          'dd',
          { id: 'objectives' },
          `${(d.objectives?.length ? d.objectives : [d.objective]).map((o) => `${o.type} ${o.metric}`).join(', ')} (algorithm ${d.algorithm})`,
        ),
        el('dt', {}, 'trials'),
        el(
          'dd',
          { id: 'counts' },
          `${d.counts.total} total, ${d.counts.succeeded} succeeded, ${d.counts.running} running, ${d.counts.failed} failed, ${d.counts.earlyStopped} early stopped`,
        ),
        el('dt', {}, 'best'),
        el('dd', { id: 'best' }, d.best ? `${d.best.trial}: ${fmt(d.best.objective)}` : '–'),
      );
      const events = el(
        'pre',
        { id: 'events' },
        d.events
          .map((e) => `${e.time} ${e.type} ${e.reason}${e.trial ? ` [${e.trial}]` : ''}: ${e.message}`)
          .join('\n'),
      );
      if (!main.contains(tableBox)) {
        main.replaceChildren(
          el('p', {}, el('a', { href: '#/' }, '‹ experiments')),
          el('h1', { id: 'title' }, `${d.namespace}/${d.name}`),
          el('div', { id: 'summary' }),
          el('h2', {}, 'Trials'),
          tableBox,
          el('h2', {}, 'Plots'),
          kinds,
          plotBox,
          el('h2', {}, 'Events'),
          el('div', { id: 'events-box' }),
        );
      }
      document.getElementById('summary').replaceChildren(summary);
      document.getElementById('events-box').replaceChildren(events);
      // The table and the plot load side by side; the plot is drawn again only when trials changed, not on every event.
      const plot = !drawnOnce || view.changedTrials ? drawPlot(plotBox, base, plotKind) : undefined;
      drawnOnce = true;
      await Promise.all([redrawTable(d), plot]);
    },
  };
}

async function followLog(box, url, signal) {
  const res = await fetch(url, { signal });
  if (!res.ok) {
    box.textContent = (await res.json()).error;
    box.classList.add('muted');
    return;
  }
  const reader = res.body.getReader();
  const text = new TextDecoder();
  box.textContent = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    box.textContent += text.decode(value, { stream: true });
    box.scrollTop = box.scrollHeight;
  }
  box.dataset.ended = 'true';
}

function trialView(ns, name, trial) {
  const base = `/api/experiments/${enc(ns)}/${enc(name)}`;
  let following = false;
  const logBox = el('pre', { id: 'log' }, '…');
  return {
    experiment: [ns, name],
    trial,
    refresh: async () => {
      const t = await api(`${base}/trials/${enc(trial)}`);
      const kv = (obj) =>
        el(
          'table',
          {},
          el(
            'tbody',
            {},
            ...Object.entries(obj).map(([k, v]) =>
              el('tr', {}, el('th', {}, k), el('td', { class: typeof v === 'number' ? 'num' : '' }, fmt(v))),
            ),
          ),
        );
      const metrics = Object.fromEntries(
        t.metrics.map((m) => [m.name, `latest ${m.latest ?? '–'}, min ${fmt(m.min)}, max ${fmt(m.max)}`]),
      );
      main.replaceChildren(
        el('p', {}, el('a', { href: `#/e/${enc(ns)}/${enc(name)}` }, `‹ ${ns}/${name}`)),
        el('h1', { id: 'title' }, t.name),
        el(
          'p',
          { id: 'trial-state', class: `state-${t.state}` },
          `${t.state}${t.reason ? ` — ${t.reason}` : ''}${t.message ? `: ${t.message}` : ''}`,
        ),
        el('h2', {}, 'Parameters'),
        el('div', { id: 'params' }, kv(t.params)),
        el('h2', {}, `Metrics (objective ${t.objectiveMetric}: ${fmt(t.objective)})`),
        el('div', { id: 'metrics' }, kv(metrics)),
        el('h2', {}, `Why the algorithm (${t.algorithm}) proposed it`),
        el(
          'pre',
          { id: 'explain' },
          t.explain ? JSON.stringify(t.explain, null, 2) : 'the algorithm recorded no explanation',
        ),
        el('h2', {}, 'Events'),
        el(
          'pre',
          { id: 'trial-events' },
          t.events.map((e) => `${e.time} ${e.type} ${e.reason}: ${e.message}`).join('\n') || 'none',
        ),
        el('h2', {}, `Observations (${t.observations.length})`),
        el(
          'pre',
          { id: 'observations' },
          t.observations.map((o) => `${o.metric} step ${o.step}: ${o.value}`).join('\n') || 'none',
        ),
        el('h2', {}, 'Log'),
        logBox,
      );
      if (!following) {
        following = true;
        const running = t.state === 'Pending' || t.state === 'Running';
        followLog(logBox, `${base}/logs/${enc(trial)}${running ? '?follow=1' : ''}`, leave.signal).catch((e) => {
          if (e.name !== 'AbortError') logBox.textContent = String(e.message);
        });
      }
    },
  };
}

let pending = null;
function connect() {
  const source = new EventSource('/api/events');
  let connected = false;
  source.addEventListener('ready', () => {
    live.textContent = 'live';
    live.classList.add('on');
    // After a reconnection (the server restarted, the network dropped) the changes in between are unknown: redraw.
    if (connected) view.refresh().catch(showError);
    connected = true;
  });
  source.addEventListener('unavailable', (e) => {
    live.textContent = JSON.parse(e.data).message;
    source.close();
  });
  source.addEventListener('change', (e) => {
    const msg = JSON.parse(e.data);
    const [ns, name] = view.experiment ?? [];
    const mine = view.experiment === null || msg.experiments.some(([n, x]) => n === ns && x === name);
    if (!mine || (view.trial && !msg.trials.includes(view.trial) && !msg.kinds.includes('experiment'))) return;
    view.changedTrials = msg.kinds.includes('trial');
    // Changes come in bursts: draw once for all of those within a short while.
    clearTimeout(pending);
    pending = setTimeout(() => view.refresh().catch(showError), 250);
  });
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.classList.remove('on');
  };
}

window.addEventListener('hashchange', route);
connect();
route();
