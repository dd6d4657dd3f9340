// farm repository browser: live project search on the home page.
// The page works without this script (the form's Go opens a project by exact
// name, and the ranges list every project); with it, typing lists the
// projects whose normalised name starts with the text. It loads the search
// index (first and last name of each chunk) once, then only the one to three
// chunks that can hold matches, so it stays fast at any repository size.
(function () {
  'use strict';
  for (const el of document.querySelectorAll('.origin')) el.textContent = window.location.origin;

  const form = document.querySelector('form[data-search]');
  const input = document.getElementById('q');
  const results = document.getElementById('results');
  if (!form || !input || !results || !window.fetch) return;
  const base = form.getAttribute('data-search');
  const LIMIT = 50;
  let manifest = null;
  const loadManifest = () => {
    if (!manifest) {
      manifest = getJson(base + 'index.json').then((d) => d.chunks);
      manifest.catch(() => (manifest = null));
    }
    return manifest;
  };
  const chunks = new Map();
  let generation = 0;

  const normalise = (text) => text.trim().toLowerCase().replace(/[-_.]+/g, '-');
  const getJson = async (url) => {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(url + ': ' + res.status);
    return res.json();
  };
  const chunk = (first) => {
    if (!chunks.has(first)) chunks.set(first, getJson(base + encodeURIComponent(first) + '.json').then((d) => d.projects));
    return chunks.get(first);
  };

  function show(query, matches, more) {
    results.replaceChildren();
    const status = document.createElement('p');
    status.className = 'muted';
    status.textContent =
      matches.length === 0
        ? 'No project starts with “' + query + '”.'
        : matches.length + (more ? '+' : '') + (matches.length === 1 && !more ? ' project starts' : ' projects start') + ' with “' + query + '”.';
    results.append(status);
    if (matches.length === 0) return;
    const list = document.createElement('ol');
    list.className = 'results';
    for (const [project, name, latest] of matches) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = 'project/' + project + '/';
      link.textContent = name;
      item.append(link);
      if (latest) item.append(' ', Object.assign(document.createElement('span'), { className: 'muted', textContent: latest }));
      list.append(item);
    }
    results.append(list);
  }

  async function search() {
    const mine = ++generation;
    const query = normalise(input.value);
    if (query === '') {
      results.replaceChildren();
      return;
    }
    try {
      const end = query + '\uffff';
      const wanted = (await loadManifest()).filter(([first, last]) => first <= end && last >= query).slice(0, 3);
      const matches = [];
      // The chunks load side by side; matches keep the chunks' order.
      for (const rows of await Promise.all(wanted.map(([first]) => chunk(first)))) {
        for (const row of rows) if (row[0].startsWith(query)) matches.push(row);
      }
      if (mine !== generation) return;
      show(input.value.trim(), matches.slice(0, LIMIT), matches.length > LIMIT);
    } catch (error) {
      if (mine === generation) results.textContent = 'Search is unavailable (' + error.message + '); use Go or the ranges below.';
    }
  }

  input.addEventListener('input', search);
  // The search index is small (two names per chunk): fetched once the page
  // is ready, so the first keystroke waits only for its chunk.
  loadManifest().catch(() => {});
  if (input.value !== '') search();
})();
