// copra's search page: Pagefind indexes loaded from this archive, whatever sub-path it is served
// from. Builder names load only the small "names" index; change shards load when asked for.
import { isErrorLine, normalizeLine } from './signature.js';

const root = new URL('../', import.meta.url);
const form = document.getElementById('search-form');
const input = document.getElementById('search-query');
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
const MAX_RESULTS = 30;

const engines = new Map();
let manifest = null;

async function loadManifest() {
  manifest ??= await (await fetch(new URL('search/manifest.json', root))).json();
  return manifest;
}

/** One Pagefind instance per scope: its first index, with the scope's other shards merged in. */
async function engine(scope) {
  if (!engines.has(scope)) {
    engines.set(
      scope,
      (async () => {
        const { names, failures, changes } = await loadManifest();
        const paths = scope === 'names' ? [names] : scope === 'failures' ? [failures] : changes;
        if (paths.length === 0) return null;
        const pagefind = await import(new URL(`${paths[0]}pagefind.js`, root).href);
        // Records hold site-relative URLs; Pagefind prefixes them with baseUrl: the archive's root.
        await pagefind.options({ basePath: new URL(paths[0], root).pathname, baseUrl: root.pathname });
        for (const path of paths.slice(1)) await pagefind.mergeIndex(new URL(path, root).href);
        await pagefind.init();
        return pagefind;
      })(),
    );
  }
  return engines.get(scope);
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

function resultItem({ href, title, kind, excerpt }) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = href;
  link.textContent = title;
  const label = document.createElement('span');
  label.className = 'kind';
  label.textContent = kind;
  item.append(label, ' ', link);
  if (excerpt) {
    const text = document.createElement('p');
    text.className = 'excerpt';
    text.append(...excerptNodes(excerpt));
    item.append(text);
  }
  return item;
}

/** "Some Builder 12" or "Some Builder #12": that build, through the builder's number lookup. */
async function buildsByNumber(query) {
  const match = /^(.*\S)\s+#?(\d+)$/.exec(query);
  if (!match) return [];
  const [, name, number] = match;
  const names = await engine('names');
  const found = await names.search(name);
  const items = [];
  for (const result of found.results.slice(0, 5)) {
    const data = await result.data();
    const builderId = /builder\/(\d+)\//.exec(data.url)?.[1];
    if (data.meta.kind !== 'builder' || !builderId) continue;
    const numbers = await (await fetch(new URL(`search/builds/${builderId}.json`, root))).json();
    const buildId = numbers[number];
    if (buildId !== undefined) {
      items.push(resultItem({ href: new URL(`build/${buildId}/index.html`, root).href, title: `${data.meta.title} #${number}`, kind: 'build' }));
    }
  }
  return items;
}

let latestSearch = 0;

async function search(query, scope) {
  // Typing and switching scope start searches that may finish out of order: only the latest shows.
  const ticket = ++latestSearch;
  list.replaceChildren();
  if (!query.trim()) {
    status.textContent = '';
    return;
  }
  status.textContent = 'Searching…';
  // Everything: names first (a builder is what most people look for), then changes, then
  // failures; a pasted error line looks for its failure first.
  const errorLine = isErrorLine(query);
  const scopes = scope === 'all' ? (errorLine ? ['failures', 'names', 'changes'] : ['names', 'changes', 'failures']) : [scope];
  const items = [];
  let total = 0;
  for (const each of scopes) {
    const pagefind = await engine(each);
    if (!pagefind) continue;
    // A failure's signature has its times, process ids, addresses and paths taken out: so has the query.
    const found = await pagefind.search(each === 'failures' ? normalizeLine(query) : query);
    const numbered = each === 'names' ? await buildsByNumber(query) : [];
    items.push(...numbered);
    for (const result of found.results.slice(0, MAX_RESULTS)) {
      const data = await result.data();
      items.push(resultItem({ href: new URL(data.url, root).href, title: data.meta.title, kind: data.meta.kind, excerpt: data.excerpt }));
    }
    total += found.results.length + numbered.length;
  }
  if (ticket !== latestSearch) return;
  list.replaceChildren(...items);
  status.textContent = items.length === 0 ? `Nothing found for “${query}”.` : `${total} result${total === 1 ? '' : 's'}.`;
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
  if (params.get('q')) {
    input.value = params.get('q');
    // The header's box has no scope: it searches everything.
    const scope = SCOPES.includes(params.get('scope')) ? params.get('scope') : 'all';
    form.querySelector(`input[name=scope][value=${scope}]`).checked = true;
    search(input.value, currentScope());
  }
}
