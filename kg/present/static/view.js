(function () {
  "use strict";
  performance.mark("kg-start");
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  performance.mark("kg-data");
  var UI = DATA.ui;
  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  DATA.edges.forEach(function (e) { edgeById[e.id] = e; });

  var DIM = "rgba(200,200,200,0.35)";
  // one vis-network group per family carries shape and colours, so that each node holds only
  // id, label, position and group: per-node option objects cost a lot at 5,000 nodes
  var groups = {};
  DATA.nodes.forEach(function (n) {
    if (groups[n.family]) { return; }
    var g = { shape: n.shape, color: { background: n.color, border: "#555",
                                       highlight: { background: n.color, border: "#000" },
                                       hover: { background: n.color, border: "#000" } } };
    if (n.shape === "box") { g.color.border = n.color; g.font = { color: "#fff" }; g.margin = 6; }
    groups[n.family] = g;
  });
  function groupColor(n) { return groups[n.family].color; }
  function groupFont(n) { return { color: n.shape === "box" ? "#fff" : "#222", size: n.focus || n.hl ? 18 : 14 }; }
  function nodeStyle(n) {
    var s = { id: n.id, label: n.label, x: n.x, y: n.y, group: n.family };
    if (n.size) { s.size = n.size; }
    if (n.hl || n.focus) {
      s.borderWidth = n.hl ? 4 : 2;
      s.size = n.size || 22;
      s.font = groupFont(n);
      s.color = { background: n.color, border: "#000" };
    }
    return s;
  }
  function edgeStyle(e) {
    var s = { id: e.id, from: e.from, to: e.to, color: e.color, width: e.width };
    if (e.count) { s.arrows = { to: { enabled: false } }; }
    return s;
  }
  var nodes = new vis.DataSet(DATA.nodes.map(nodeStyle));
  var edges = new vis.DataSet(DATA.edges.map(edgeStyle));
  var container = document.getElementById("kg-net");
  var options = {
    physics: false,
    layout: { improvedLayout: false },
    groups: groups,
    nodes: { size: 14, borderWidth: 1, font: { size: 14, color: "#222" }, scaling: { label: { drawThreshold: 6 } } },
    edges: { smooth: false, selectionWidth: 1.5, color: { inherit: false, opacity: 0.85 },
             arrows: { to: { enabled: !DATA.big, scaleFactor: 0.5 } } },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: DATA.big, hideEdgesOnZoom: DATA.big,
                   navigationButtons: false, keyboard: false }
  };
  performance.mark("kg-datasets");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  performance.mark("kg-network");
  var api = { network: network, nodes: nodes, edges: edges, data: DATA, drawn: false, firstDraw: null,
              byId: byId, edgeById: edgeById, families: groups };  // add-ons (groups.js) redraw through these
  window.kgView = api;
  network.once("afterDrawing", function () { api.drawn = true; api.firstDraw = performance.now(); });

  // ---------- tooltip: DOM nodes and textContent only, never innerHTML with data
  var tip = document.getElementById("kg-tip");
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }
  function row(dl, name, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) { return; }
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", null, Array.isArray(value) ? value.join(", ") : value));
  }
  function dates(x) {
    if (x.start && x.end) { return x.start + " – " + x.end; }
    if (x.start) { return UI.since + " " + x.start; }
    if (x.end) { return UI.until + " " + x.end; }
    return null;
  }
  function sources(box, refs) {
    (refs || []).slice(0, 3).forEach(function (i) {
      var s = DATA.quotes[i];
      box.appendChild(el("blockquote", "quote", s[1]));
      box.appendChild(el("div", "doc", UI.source + " : " + s[0]));
    });
  }
  function showTip(content, pointer) {
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    tip.appendChild(content);
    tip.style.display = "block";
    var main = document.getElementById("kg-stage");
    var x = Math.min(pointer.x + 14, main.clientWidth - tip.offsetWidth - 4);
    var y = Math.min(pointer.y + 14, main.clientHeight - tip.offsetHeight - 4);
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  }
  function hideTip() { tip.style.display = "none"; }
  function nodeTip(n) {
    var box = el("div");
    box.appendChild(el("div", "t", n.label));
    var dl = el("dl");
    row(dl, UI.type, n.group ? n.familyLabel : (n.types && n.types.length ? n.types : n.familyLabel));
    row(dl, UI.territory, n.territory);
    row(dl, UI.dates, dates(n));
    row(dl, UI.themes, n.themeLabels);
    if (n.figures) {
      dl.appendChild(el("dt", null, UI.figures));
      var dd = el("dd");
      n.figures.forEach(function (f) { dd.appendChild(el("div", null, f)); });
      dl.appendChild(dd);
    }
    if (n.reasons && n.reasons.length) {
      dl.appendChild(el("dt", null, UI.reasons));
      var why = el("dd");
      n.reasons.forEach(function (r) { why.appendChild(el("div", null, r)); });
      dl.appendChild(why);
    }
    if (n.group) { row(dl, UI.members, n.members.join(", ") + (n.memberCount > n.members.length ? "…" : "")); }
    box.appendChild(dl);
    sources(box, n.src);
    return box;
  }
  function edgeTip(e) {
    var box = el("div");
    box.appendChild(el("div", "t", byId[e.from].label + " → " + byId[e.to].label));
    var dl = el("dl");
    row(dl, UI.relation, e.kindLabel + (e.count ? " ×" + e.count : ""));
    row(dl, UI.role, e.label2 || e.role);
    row(dl, UI.dates, dates(e));
    row(dl, UI.amount, e.amount);
    box.appendChild(dl);
    sources(box, e.src);
    return box;
  }
  network.on("hoverNode", function (p) { showTip(nodeTip(byId[p.node]), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("hoverEdge", function (p) { showTip(edgeTip(edgeById[p.edge]), p.pointer.DOM); });
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ---------- filters: actor type, relation kind, theme, year
  var state = { families: {}, kinds: {}, theme: "", year: null, focus: null };
  function boxes(id, target) {
    var fs = document.getElementById(id);
    if (!fs) { return; }
    fs.querySelectorAll("input[type=checkbox]").forEach(function (cb) {
      target[cb.getAttribute("data-key")] = cb.checked;
      cb.addEventListener("change", function () { target[cb.getAttribute("data-key")] = cb.checked; apply(); });
    });
  }
  boxes("kg-f-types", state.families);
  boxes("kg-f-kinds", state.kinds);
  var themeSel = document.getElementById("kg-f-theme");
  if (themeSel) { themeSel.addEventListener("change", function () { state.theme = themeSel.value; apply(); }); }
  var yearInput = document.getElementById("kg-year");
  var yearOut = document.getElementById("kg-year-out");
  function readYear() {
    if (!yearInput) { return; }
    var y = parseInt(yearInput.value, 10);
    state.year = (y >= parseInt(yearInput.max, 10)) ? null : y;
    yearOut.textContent = state.year === null ? yearInput.value + " (" + UI.all_years + ")" : String(y);
    document.dispatchEvent(new CustomEvent("kg-year", { detail: state.year }));
  }
  if (yearInput) { yearInput.addEventListener("input", function () { readYear(); apply(); }); }

  // when each node appears on the year slider: an actor or a person when its first dated link in the view
  // starts (not at its founding, which would leave it alone on the screen), else at its own date; a
  // programme, an event, a publication at its own date, else its first dated link; a node with neither is
  // undated: always shown, listed in api.undated (the time axis marks it), never hidden silently
  var firstLink = {};
  DATA.edges.forEach(function (e) {
    if (!e.y0) { return; }
    [e.from, e.to].forEach(function (id) {
      if (!firstLink[id] || e.y0 < firstLink[id]) { firstLink[id] = e.y0; }
    });
  });
  var appear = {}, undated = [];
  DATA.nodes.forEach(function (n) {
    var byLink = n.kind === "actor" || n.kind === "person";
    var a = byLink ? (firstLink[n.id] || n.y0) : (n.y0 || firstLink[n.id]);
    if (a) { appear[n.id] = a; } else if (!n.group && n.kind !== "territory") { undated.push(n.id); }
  });
  function existed(x) {
    if (state.year === null) { return true; }
    if (x.y0 && x.y0 > state.year) { return false; }
    if (x.y1 && x.y1 < state.year) { return false; }
    return true;
  }
  function nodeExisted(n) {
    if (state.year === null) { return true; }
    if (appear[n.id] && appear[n.id] > state.year) { return false; }
    return !(n.y1 && n.y1 < state.year);
  }
  function nodeVisible(n) {
    if (state.families[n.family] === false) { return false; }
    if (state.theme && (n.kind === "actor" || n.kind === "programme") && (n.themes || []).indexOf(state.theme) < 0) {
      return false;
    }
    return nodeExisted(n);
  }
  var shownNodes = {};
  function apply() {
    var nodeUpd = [], edgeUpd = [];
    DATA.nodes.forEach(function (n) {
      var v = nodeVisible(n);
      if (shownNodes[n.id] !== v) { nodeUpd.push({ id: n.id, hidden: !v }); shownNodes[n.id] = v; }
    });
    DATA.edges.forEach(function (e) {
      var v = state.kinds[e.kind] !== false && shownNodes[e.from] && shownNodes[e.to] && existed(e);
      if (e._v !== v) { edgeUpd.push({ id: e.id, hidden: !v }); e._v = v; }
    });
    if (nodeUpd.length) { nodes.update(nodeUpd); }
    if (edgeUpd.length) { edges.update(edgeUpd); }
    api.visible = DATA.nodes.filter(function (n) { return shownNodes[n.id]; }).length;
  }
  DATA.nodes.forEach(function (n) { shownNodes[n.id] = true; });
  DATA.edges.forEach(function (e) { e._v = true; });
  api.visible = DATA.nodes.length;
  api.apply = apply;
  api.appear = appear;
  api.undated = undated;
  api.year = function () { return state.year; };
  // the year slider from other scripts (the story, the time axis): null shows every year
  api.setYear = function (y) {
    if (!yearInput) { return; }
    yearInput.value = String(y === null || y === undefined ? yearInput.max : Math.max(parseInt(yearInput.min, 10), y));
    readYear();
    apply();
  };
  readYear();
  if (state.year !== null) { apply(); }

  // ---------- click: highlight the neighbourhood
  var dimmed = false;
  function focusOn(id) {
    var near = {};
    near[id] = true;
    network.getConnectedNodes(id).forEach(function (m) { near[m] = true; });
    nodes.update(DATA.nodes.map(function (n) {
      return near[n.id] ? { id: n.id, color: nodeStyle(n).color || groupColor(n), font: groupFont(n) }
                        : { id: n.id, color: { background: DIM, border: DIM }, font: { color: "rgba(0,0,0,0.2)" } };
    }));
    edges.update(DATA.edges.map(function (e) {
      var on = e.from === id || e.to === id;
      return { id: e.id, color: on ? e.color : DIM };
    }));
    dimmed = true;
    api.focus = id;
  }
  function unfocus() {
    if (!dimmed) { return; }
    nodes.update(DATA.nodes.map(function (n) {
      return { id: n.id, color: nodeStyle(n).color || groupColor(n), font: groupFont(n) };
    }));
    edges.update(DATA.edges.map(function (e) { return { id: e.id, color: e.color }; }));
    dimmed = false;
    api.focus = null;
  }
  network.on("click", function (p) { if (p.nodes.length) { focusOn(p.nodes[0]); } else { unfocus(); } });
  api.focusOn = focusOn;

  // ---------- search
  var names = document.getElementById("kg-names");
  var search = document.getElementById("kg-search");
  function fillNames() {  // built on first use: thousands of <option> would delay the first frame
    if (names.childNodes.length) { return; }
    var seen = {};
    DATA.nodes.forEach(function (n) {
      if (seen[n.label] || DATA.nodes.length > 3000 && n.kind !== "actor") { return; }
      seen[n.label] = true;
      var o = document.createElement("option");
      o.value = n.label;
      names.appendChild(o);
    });
  }
  search.addEventListener("focus", fillNames);
  var status = document.getElementById("kg-status");
  function norm(s) { return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function find(q) {
    var key = norm(q.trim());
    if (!key) { return null; }
    var exact = null, partial = null;
    DATA.nodes.forEach(function (n) {
      var l = norm(n.label);
      if (l === key && !exact) { exact = n; } else if (l.indexOf(key) >= 0 && !partial) { partial = n; }
    });
    return exact || partial;
  }
  function go() {
    var n = find(search.value);
    status.textContent = n || !search.value ? "" : UI.not_found;
    if (!n) { return; }
    network.selectNodes([n.id]);
    network.focus(n.id, { scale: 1.2, animation: { duration: 400 } });
    focusOn(n.id);
  }
  search.addEventListener("change", go);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
  api.search = function (q) { search.value = q; go(); return api.focus; };
  performance.mark("kg-ready");
})();
