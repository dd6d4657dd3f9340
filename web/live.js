// farm builds pages: live updates through server-sent events. Every page
// works without this script (reload to see progress); with it, the request
// page's table and a running build's log follow the build as it happens.
(function () {
  'use strict';

  /** Parses server-rendered table cells into elements. */
  function cellsFrom(markup) {
    const template = document.createElement('template');
    template.innerHTML = '<table><tbody><tr>' + markup + '</tr></tbody></table>';
    return Array.from(template.content.querySelectorAll('td'));
  }

  const facts = document.querySelector('[data-events]');
  const eventsUrl = facts && facts.getAttribute('data-events');
  if (eventsUrl && window.EventSource) {
    const source = new EventSource(eventsUrl);
    const tbody = document.querySelector('#rows tbody');
    source.addEventListener('row', (event) => {
      const row = JSON.parse(event.data);
      let tr = document.getElementById('row-' + row.key);
      if (!tr) {
        tr = document.createElement('tr');
        tr.id = 'row-' + row.key;
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = row.name + ' ' + row.version;
        const target = document.createElement('td');
        target.dataset.label = 'Target';
        target.textContent = row.target;
        const python = document.createElement('td');
        python.dataset.label = 'Python';
        python.textContent = row.python;
        tr.append(th, target, python);
        tbody.append(tr);
      }
      while (tr.cells.length > 3) tr.deleteCell(3);
      tr.append(...cellsFrom(row.cells));
      tr.dataset.state = row.state;
    });
    source.addEventListener('state', (event) => {
      const { state, final } = JSON.parse(event.data);
      const badge = document.getElementById('request-state');
      badge.textContent = state;
      badge.className = 'state state-' + state;
      if (final) {
        source.close();
        const cancel = document.querySelector('form[action$="/cancel"]');
        if (cancel) cancel.remove();
      }
    });
  }

  const log = document.getElementById('log');
  const followUrl = log && log.getAttribute('data-follow');
  if (followUrl && window.EventSource) {
    const source = new EventSource(followUrl);
    const status = document.getElementById('log-status');
    source.addEventListener('append', (event) => {
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
      log.append(document.createTextNode(JSON.parse(event.data)));
      if (atBottom) log.scrollTop = log.scrollHeight;
    });
    source.addEventListener('end', () => {
      source.close();
      status.textContent = 'The build has finished.';
    });
  }
})();
