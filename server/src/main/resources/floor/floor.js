// The floor page: polls /api/transfers once a second and keeps one tile per phone (client address) up to date.
// Tiles are keyed by address and changed in place, only when their data changed, at most BATCH per animation frame,
// so 2000+ phones stay smooth. Client data (file names, reasons, roster names) only ever goes into textContent.
'use strict';
(function () {
  const POLL_MS = 1000;
  const BATCH = 200;
  const STATE_LABEL = { waiting: 'never came', loading: 'loading', done: 'done', failed: 'failed' };

  const floor = document.getElementById('floor');
  const empty = document.getElementById('empty');
  const status = document.getElementById('status');
  const node = document.getElementById('node');
  const canvas = document.getElementById('chart');
  const tiles = new Map(); // address -> { el, parts, key, next }
  let pending = null;      // newest answer not yet drawn
  let dirty = [];          // tiles whose DOM still has to catch up
  let frameAsked = false;

  for (const button of document.querySelectorAll('.counter')) {
    button.addEventListener('click', () => {
      floor.dataset.filter = button.dataset.filter;
      for (const b of document.querySelectorAll('.counter')) {
        b.classList.toggle('selected', b === button);
      }
    });
  }

  function poll() {
    fetch('/api/transfers', { cache: 'no-store' })
      .then((response) => {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      })
      .then((data) => {
        setStatus(true, 'live');
        pending = data;
        askFrame();
      })
      .catch((error) => setStatus(false, 'offline (' + error.message + '), retrying'))
      .finally(() => setTimeout(poll, POLL_MS));
  }

  // One line while images are being fetched from the origin (phones asking for them wait): name and bytes so far.
  function origin(list) {
    const line = document.getElementById('origin');
    line.hidden = list.length === 0;
    line.textContent = list.length === 0 ? '' : 'fetching from origin: '
      + list.map((f) => f.file + ' (' + (f.bytes / 1048576).toFixed(1) + ' MiB so far)').join(', ');
  }

  // The rollout groups' table: one row per group, rebuilt when the groups' data changed (a handful of rows).
  let groupsKey = '';
  function groups(list) {
    const key = JSON.stringify(list);
    if (key === groupsKey) {
      return;
    }
    groupsKey = key;
    const section = document.getElementById('groups');
    const rows = document.getElementById('group-rows');
    section.hidden = list.length === 0;
    rows.replaceChildren();
    for (const g of list) {
      const row = document.createElement('tr');
      row.dataset.group = g.name;
      const cells = [g.name, g.release || '(root)', g.phones, g.done, g.otherRelease, g.loading, g.failed, g.neverCame];
      const classes = ['name', 'release', 'phones', 'done', 'other', 'loading', 'failed', 'never'];
      cells.forEach((value, i) => {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) {
          cell.scope = 'row';
        }
        cell.className = classes[i];
        cell.textContent = String(value);
        row.appendChild(cell);
      });
      rows.appendChild(row);
    }
  }

  function setStatus(live, text) {
    status.className = 'status ' + (live ? 'live' : 'offline');
    status.textContent = text;
  }

  function askFrame() {
    if (!frameAsked) {
      frameAsked = true;
      requestAnimationFrame(frame);
    }
  }

  function frame() {
    frameAsked = false;
    if (pending !== null) {
      const data = pending;
      pending = null;
      take(data);
    }
    for (let n = 0; n < BATCH && dirty.length > 0; n++) {
      draw(dirty.pop());
    }
    if (dirty.length > 0) {
      askFrame();
    }
  }

  // Matches the answer against the tiles: new phones get a tile, forgotten ones lose theirs, changed ones are queued.
  function take(data) {
    if (node.textContent !== data.node) {
      node.textContent = data.node;
      document.title = 'floorflash — ' + data.node;
    }
    counters(data.counters);
    groups(data.groups || []);
    origin(data.originFetches || []);
    chart(data.throughput.bytesPerSecond, data.throughput.sampleSeconds);
    const seen = new Set();
    const changed = [];
    let previous = null; // the tile before this one in address order
    for (const phone of data.phones) {
      seen.add(phone.addr);
      let tile = tiles.get(phone.addr);
      if (tile === undefined) {
        // The server sends phones sorted by address: a new tile goes right after its predecessor; no other moves.
        tile = makeTile(phone.addr);
        tiles.set(phone.addr, tile);
        floor.insertBefore(tile.el, previous === null ? floor.firstChild : previous.el.nextSibling);
      }
      previous = tile;
      const key = phone.state + '|' + phone.bytes + '|' + phone.size + '|' + phone.retx + '|' + phone.bps + '|'
        + (phone.file || '') + '|' + (phone.served || '') + '|' + (phone.name || '') + '|' + (phone.reason || '') + '|' + (phone.unexpected ? 1 : 0) + '|' + (phone.upload ? 1 : 0);
      tile.next = phone;
      if (tile.key !== key) {
        tile.key = key;
        changed.push(tile);
      }
    }
    for (const [address, tile] of tiles) {
      if (!seen.has(address)) {
        tile.el.remove();
        tiles.delete(address);
      }
    }
    empty.hidden = data.phones.length > 0;
    dirty = changed.reverse(); // popped from the end: first phones first
  }

  function makeTile(address) {
    const el = document.createElement('div');
    el.className = 'tile';
    el.dataset.addr = address;
    const head = add(el, 'div', 'head');
    add(head, 'span', 'addr').textContent = address;
    const parts = { name: add(head, 'span', 'name'), file: add(el, 'div', 'file') };
    const bar = add(el, 'div', 'bar');
    parts.fill = add(bar, 'div', 'fill');
    const meta = add(el, 'div', 'meta');
    parts.state = add(meta, 'span', 'state');
    parts.pct = add(meta, 'span', 'pct');
    parts.rate = add(meta, 'span', 'rate');
    parts.retx = add(meta, 'span', 'retx');
    parts.reason = add(el, 'div', 'reason');
    return { el, parts, key: null, next: null };
  }

  function add(parent, tag, className) {
    const child = document.createElement(tag);
    child.className = className;
    parent.appendChild(child);
    return child;
  }

  function draw(tile) {
    const p = tile.next;
    const parts = tile.parts;
    tile.el.className = 'tile ' + p.state + (p.unexpected ? ' unexpected' : '');
    parts.name.textContent = p.name || '';
    parts.file.textContent = (p.file ? (p.upload ? '\u2191 ' : '') + p.file : '—') + (p.served ? ' → ' + p.served : '');
    const fraction = p.state === 'done' ? 1 : (p.size > 0 ? Math.min(1, p.bytes / p.size) : 0);
    parts.fill.style.transform = 'scaleX(' + fraction.toFixed(4) + ')';
    parts.state.textContent = STATE_LABEL[p.state] || p.state;
    parts.pct.textContent = p.state === 'waiting' || (p.state === 'failed' && p.size === 0) ? '' : Math.floor(fraction * 100) + '%';
    parts.rate.textContent = p.state === 'loading' || p.state === 'done' ? rate(p.bps) : '';
    parts.retx.textContent = p.retx > 0 ? '\u21bb' + p.retx : '';
    parts.reason.textContent = p.reason || '';
    tile.el.title = p.addr + (p.name ? ' (' + p.name + ')' : '') + (p.file ? '\n' + (p.upload ? 'upload: ' : '') + p.file : '') + (p.served ? '\nserved: ' + p.served : '')
      + '\n' + (STATE_LABEL[p.state] || p.state) + ', ' + bytes(p.bytes) + ' of ' + bytes(p.size)
      + (p.retx > 0 ? ', ' + p.retx + ' packets sent again' : '')
      + (p.reason ? '\n' + p.reason : '') + (p.unexpected ? '\nnot on the roster' : '');
  }

  function counters(c) {
    for (const name of ['phones', 'done', 'loading', 'failed', 'waiting', 'unexpected']) {
      const el = document.getElementById('n-' + name);
      const text = String(c[name]);
      if (el.textContent !== text) {
        el.textContent = text;
      }
    }
  }

  function bytes(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(2) + ' GB';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + ' MB';
    if (n >= 1e3) return (n / 1e3).toFixed(1) + ' kB';
    return n + ' B';
  }

  function rate(n) {
    return bytes(n) + '/s';
  }

  // Aggregate throughput, oldest sample left, now right: an area under a line, with the peak marked.
  function chart(samples, seconds) {
    document.getElementById('rate').textContent = rate(samples.length ? samples[samples.length - 1] : 0);
    const span = samples.length * (seconds || 1);
    document.getElementById('chart-span').textContent = span >= 120 ? 'last ' + Math.round(span / 60) + ' min'
      : 'last ' + span + ' s';
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(100, Math.round(canvas.clientWidth * ratio));
    const height = Math.round(150 * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, width, height);
    const top = 16 * ratio;
    const bottom = height - 14 * ratio;
    const peak = Math.max(1, ...samples);
    const scale = niceCeiling(peak);
    g.strokeStyle = '#e3e6ec';
    g.lineWidth = 1;
    g.fillStyle = '#6b7280';
    g.font = (11 * ratio) + 'px system-ui, sans-serif';
    for (let i = 0; i <= 2; i++) {
      const y = Math.round(bottom - (bottom - top) * i / 2) + 0.5;
      g.beginPath();
      g.moveTo(0, y);
      g.lineTo(width, y);
      g.stroke();
      if (i > 0) {
        g.fillText(rate(scale * i / 2), 4 * ratio, y - 3 * ratio);
      }
    }
    if (samples.length < 2) {
      return;
    }
    const step = width / (samples.length - 1);
    const y = (v) => bottom - (bottom - top) * v / scale;
    g.beginPath();
    g.moveTo(0, bottom);
    samples.forEach((v, i) => g.lineTo(i * step, y(v)));
    g.lineTo(width, bottom);
    g.closePath();
    g.fillStyle = 'rgba(37, 99, 235, 0.15)';
    g.fill();
    g.beginPath();
    samples.forEach((v, i) => (i === 0 ? g.moveTo(0, y(v)) : g.lineTo(i * step, y(v))));
    g.strokeStyle = '#2563eb';
    g.lineWidth = 2 * ratio;
    g.stroke();
  }

  function niceCeiling(v) {
    const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) {
      if (v <= m * magnitude) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  poll();
}());
