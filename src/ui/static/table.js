// The trial table of an experiment: sort (click a header), filter (state, name text), column choice and pages.
// Sorting and filtering run on the server (GET …/trials), so a 10,000-trial experiment sends one page at a time.
import { api, el, enc, fmt } from './app.js';

const pageSize = 100;
const states = ['Pending', 'Running', 'Succeeded', 'Failed', 'EarlyStopped', 'MetricsUnavailable', 'Killed'];

/** The table's state for one experiment; kept across live refreshes so sort, filter and columns stay. */
export function tableState(detail) {
  // With several objectives: a column per further objective (its value by the metric's strategy, which may differ
  // from the metric's latest value) and the Pareto mark, after the primary objective's.
  const objectives = detail.objectives ?? [];
  const several = objectives.length > 1;
  const labels = {};
  if (several) {
    labels.objective = `${objectives[0].metric} (${objectives[0].type})`;
    for (const o of objectives.slice(1)) labels[`value:${o.metric}`] = `${o.metric} (${o.type})`;
    labels.pareto = 'Pareto';
  }
  const columns = [
    'name',
    'state',
    'objective',
    ...(several ? [...objectives.slice(1).map((o) => `value:${o.metric}`), 'pareto'] : []),
    ...detail.parameters.map((p) => `param:${p}`),
    ...detail.metrics.map((m) => `metric:${m}`),
    'reason',
    'created',
  ];
  return { sort: 'seq', order: 'asc', state: '', q: '', offset: 0, columns, shown: new Set(columns), labels };
}

function label(col, st) {
  if (st.labels?.[col]) return st.labels[col];
  return col.startsWith('param:') || col.startsWith('metric:') ? col.slice(col.indexOf(':') + 1) : col;
}

function cell(row, col) {
  if (col === 'name') return row.name;
  if (col === 'state') return row.state;
  if (col === 'objective') return row.objective;
  if (col === 'reason') return row.reason;
  if (col === 'created') return row.createdAt;
  if (col.startsWith('param:')) return row.params[col.slice(6)];
  if (col.startsWith('value:')) return row.values?.[col.slice(6)];
  // On the front: a star; dominated: blank; not taking part (running, failed, a value missing): a dash.
  if (col === 'pareto') return row.pareto === true ? '★' : row.pareto === false ? '' : null;
  return row.metrics[col.slice(7)];
}

/** Draws the table into `box` (replacing what it held) and calls `redraw` after any change of the controls. */
export async function drawTable(box, detail, st, redraw) {
  const base = `/api/experiments/${enc(detail.namespace)}/${enc(detail.name)}`;
  const query = new URLSearchParams({
    sort: st.sort,
    order: st.order,
    offset: String(st.offset),
    limit: String(pageSize),
  });
  if (st.state) query.set('state', st.state);
  if (st.q) query.set('q', st.q);
  const page = await api(`${base}/trials?${query}`);

  const stateSelect = el(
    'select',
    { id: 'state-filter', 'aria-label': 'state' },
    el('option', { value: '' }, 'every state'),
  );
  for (const s of states) stateSelect.append(el('option', { value: s }, s));
  stateSelect.value = st.state;
  stateSelect.addEventListener('change', () => Object.assign(st, { state: stateSelect.value, offset: 0 }) && redraw());
  const text = el('input', { id: 'name-filter', type: 'search', placeholder: 'trial name contains…', value: st.q });
  text.addEventListener('change', () => Object.assign(st, { q: text.value, offset: 0 }) && redraw());
  const prev = el('button', { id: 'prev-page', disabled: st.offset === 0 ? '' : null }, '‹ previous');
  prev.addEventListener('click', () => Object.assign(st, { offset: Math.max(0, st.offset - pageSize) }) && redraw());
  const next = el('button', { id: 'next-page', disabled: st.offset + pageSize >= page.matched ? '' : null }, 'next ›');
  next.addEventListener('click', () => Object.assign(st, { offset: st.offset + pageSize }) && redraw());
  const counter = el(
    'span',
    { id: 'trial-count' },
    `${page.matched} of ${page.total} trials` +
      (page.matched > 0 ? `, showing ${page.offset + 1}–${page.offset + page.rows.length}` : ''),
  );

  const chooser = el('details', { class: 'columns' }, el('summary', {}, 'columns'));
  for (const col of st.columns) {
    const box = el('input', { type: 'checkbox', 'data-column': col, checked: st.shown.has(col) ? '' : null });
    box.addEventListener('change', () => {
      if (box.checked) st.shown.add(col);
      else st.shown.delete(col);
      redraw();
    });
    chooser.append(el('label', {}, box, ` ${label(col, st)}`));
  }

  const shown = st.columns.filter((c) => st.shown.has(c));
  const head = el('tr');
  for (const col of shown) {
    const key = col === 'created' ? 'created' : col === 'reason' ? null : col;
    const th = el('th', { 'data-column': col, class: key ? 'sortable' : '' }, label(col, st));
    if (key && st.sort === key) th.classList.add(`sorted-${st.order}`);
    if (key) {
      th.addEventListener('click', () => {
        Object.assign(st, { order: st.sort === key && st.order === 'asc' ? 'desc' : 'asc', sort: key, offset: 0 });
        redraw();
      });
    }
    head.append(th);
  }
  const body = el('tbody');
  for (const row of page.rows) {
    const tr = el('tr', { 'data-trial': row.name });
    for (const col of shown) {
      const v = cell(row, col);
      if (col === 'name') {
        const href = `#/e/${enc(detail.namespace)}/${enc(detail.name)}/t/${enc(row.name)}`;
        tr.append(el('td', {}, el('a', { href }, row.name)));
      } else {
        tr.append(
          el(
            'td',
            {
              class: `${typeof v === 'number' ? 'num' : ''} ${col === 'state' ? `state-${v}` : ''} ${col === 'pareto' ? 'pareto' : ''}`,
            },
            fmt(v),
          ),
        );
      }
    }
    body.append(tr);
  }
  box.replaceChildren(
    el('div', { class: 'controls' }, stateSelect, text, chooser, prev, next, counter),
    el('table', { id: 'trials' }, el('thead', {}, head), body),
  );
}
