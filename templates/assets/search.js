// copra's search page: Pagefind indexes loaded from this archive, whatever sub-path it is served
// from. Pagefind's runtime loads once: every index (names, failures, the change partitions) is
// merged into one instance, and each part of the search is a filter (`scope`) on it.
import { isErrorLine, normalizeLine } from './signature.js';

const root = new URL('../', import.meta.url);
const form = document.getElementById('search-form');
const input = document.getElementById('search-query');
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
const more = document.getElementById('search-more');
/** Results shown at once; the "more" button shows the next ones. */
const SHOWN_AT_ONCE = 30;

let engine = null;

function pagefind() {
  engine ??= (async () => {
    const { names, failures, changes } = await (await fetch(new URL('search/manifest.json', root))).json();
    const runtime = await import(new URL(`${names}pagefind.js`, root).href);
    // Records hold site-relative URLs; Pagefind prefixes them with baseUrl: the archive's root.
    await runtime.options({ basePath: new URL(names, root).pathname, baseUrl: root.pathname });
    for (const path of [failures, ...changes]) await runtime.mergeIndex(new URL(path, root).href);
    await runtime.init();
    return runtime;
  })();
  return engine;
}

/** Pagefind's excerpt with its <mark>s kept and everything else as plain text. */
function excerptNodes(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return [...template.content.childNodes].map((node) => {
    if (node.nodeName !== 'MARK') return document.createTextNode(node.textContent);
    const mark = document.createElement('mark');
    mark.textContent = node.textContent;
    return mark;
  });
}

function resultItem({ href, title, kind, date, excerpt }) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = href;
  link.textContent = title;
  const label = document.createElement('span');
  label.className = 'kind';
  label.textContent = kind;
  item.append(label, ' ', link);
  if (date) {
    const time = document.createElement('span');
    time.className = 'date';
    time.textContent = date;
    item.append(' ', time);
  }
  if (excerpt) {
    const text = document.createElement('p');
    text.className = 'excerpt';
    text.append(...excerptNodes(excerpt));
    item.append(text);
  }
  return item;
}

/** "Some Builder 12" or "Some Builder #12": that build, through the builder's number lookup. */
async function buildsByNumber(runtime, query) {
  const match = /^(.*\S)\s+#?(\d+)$/.exec(query);
  if (!match) return [];
  const [, name, number] = match;
  const found = await runtime.search(name, { filters: { scope: 'names' } });
  const items = [];
  for (const result of found.results.slice(0, 5)) {
    const data = await result.data();
    const builderId = /builder\/(\d+)\//.exec(data.url)?.[1];
    if (data.meta.kind !== 'builder' || !builderId) continue;
    const numbers = await (await fetch(new URL(`search/builds/${builderId}.json`, root))).json();
    const buildId = numbers[number];
    if (buildId !== undefined) items.push(() => resultItem({ href: new URL(`build/${buildId}/index.html`, root).href, title: `${data.meta.title} #${number}`, kind: 'build' }));
  }
  return items;
}

/** A Pagefind result as the list shows it, read when it is shown. */
const shown = (result) => async () => {
  const data = await result.data();
  return resultItem({ href: new URL(data.url, root).href, title: data.meta.title, kind: data.meta.kind, date: data.meta.date, excerpt: data.excerpt });
};

let latestSearch = 0;
/** The results of the latest search not shown yet. */
let waiting = [];

async function showMore(ticket) {
  const next = waiting.splice(0, SHOWN_AT_ONCE);
  const items = await Promise.all(next.map((item) => item()));
  if (ticket !== latestSearch) return;
  list.append(...items);
  more.hidden = waiting.length === 0;
  more.textContent = `Show ${Math.min(SHOWN_AT_ONCE, waiting.length)} more (${waiting.length} not shown)`;
}

async function search(query, scope) {
  // Typing and switching scope start searches that may finish out of order: only the latest shows.
  const ticket = ++latestSearch;
  list.replaceChildren();
  more.hidden = true;
  waiting = [];
  if (!query.trim()) {
    status.textContent = '';
    return;
  }
  status.textContent = 'Searching…';
  const runtime = await pagefind();
  // Everything: names first (a builder is what most people look for), then changes, then
  // failures; a pasted error line looks for its failure first.
  const scopes = scope !== 'all' ? [scope] : isErrorLine(query) ? ['failures', 'names', 'changes'] : ['names', 'changes', 'failures'];
  const results = [];
  for (const each of scopes) {
    if (each === 'names') results.push(...(await buildsByNumber(runtime, query)));
    // A failure's signature has its times, process ids, addresses and paths taken out: so has the query.
    const found = await runtime.search(each === 'failures' ? normalizeLine(query) : query, {
      filters: { scope: each },
      ...(each === 'changes' ? { sort: { when: 'desc' } } : {}),
    });
    results.push(...found.results.map(shown));
  }
  if (ticket !== latestSearch) return;
  status.textContent = results.length === 0 ? `Nothing found for “${query}”.` : `${results.length} result${results.length === 1 ? '' : 's'}.`;
  waiting = results;
  await showMore(ticket);
}

const SCOPES = ['all', 'names', 'changes', 'failures'];

function currentScope() {
  return new FormData(form).get('scope') ?? 'all';
}

// From disk, browsers do not run module scripts at all: the page's inline script says so there.
if (location.protocol !== 'file:') {
  const params = new URLSearchParams(location.search);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = input.value;
    history.replaceState(null, '', `?q=${encodeURIComponent(query)}&scope=${currentScope()}`);
    search(query, currentScope());
  });
  form.addEventListener('change', () => search(input.value, currentScope()));
  more.addEventListener('click', () => showMore(latestSearch));
  if (params.get('q')) {
    input.value = params.get('q');
    // The header's box has no scope: it searches everything.
    const scope = SCOPES.includes(params.get('scope')) ? params.get('scope') : 'all';
    form.querySelector(`input[name=scope][value=${scope}]`).checked = true;
    search(input.value, currentScope());
  }
}
