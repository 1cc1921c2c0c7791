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
  // labels under their shape get a light backing, so that the links they cross do not cut the words
  var LABEL_BG = "rgba(255,255,255,0.8)";
  function inside(shape) { return shape === "box" || shape === "ellipse"; }
  // one vis-network group per family carries shape and colours, so that each node holds only
  // id, label, position and group: per-node option objects cost a lot at 5,000 nodes
  var groups = {};
  DATA.nodes.forEach(function (n) {
    if (groups[n.family]) { return; }
    var g = { shape: n.shape, color: { background: n.color, border: "#555",
                                       highlight: { background: n.color, border: "#000" },
                                       hover: { background: n.color, border: "#000" } } };
    if (n.shape === "box") { g.color.border = n.color; g.font = { color: "#fff" }; g.margin = 6; }
    if (!inside(n.shape)) { g.font = { background: LABEL_BG }; }
    groups[n.family] = g;
  });
  function groupColor(n) { return groups[n.family].color; }
  function groupFont(n) {
    return { color: n.shape === "box" ? "#fff" : "#222", size: n.focus || n.hl ? 18 : 14,
             background: inside(n.shape) ? "rgba(0,0,0,0)" : LABEL_BG };
  }
  // a colour that stays itself when selected or hovered (vis-network's default turns it pale blue)
  function steady(background, border) {
    return { background: background, border: border, highlight: { background: background, border: border },
             hover: { background: background, border: border } };
  }
  function nodeStyle(n) {
    // the short label (wrapped, a grant's amount and funder) on the network; the full name in tooltip and panel
    var s = { id: n.id, label: n.short || n.label, x: n.x, y: n.y, group: n.family };
    // sizes by degree where labels matter; a large view keeps one size per family (fewer option objects)
    if (n.size && (!DATA.big || n.group)) { s.size = n.size; }
    if (n.hl || n.focus) {
      s.borderWidth = n.hl ? 4 : 2;
      s.size = n.size || 22;
      s.font = groupFont(n);
      s.color = steady(n.color, "#000");
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

  // ---------- the network fills the frame: on load, when the frame changes size, before printing.
  // Positions come from Python with room for every label, so zooming in beyond 1.0 keeps them apart.
  var MAX_ZOOM = 2.5;
  // the extent of what the nodes draw, labels included, comes from Python (vis-network's own fit leaves a
  // wide margin and stops at 1.0); every node visible: else vis-network's fit of what is shown
  function fit() {
    var ext = DATA.extent;
    var all = network.body.nodeIndices.length === DATA.nodes.length;
    if (!ext || !all || !container.clientWidth || !container.clientHeight) {
      network.fit({ maxZoomLevel: MAX_ZOOM, minZoomLevel: 0.02, animation: false });
      return;
    }
    var w = Math.max(1, ext[2] - ext[0]), h = Math.max(1, ext[3] - ext[1]);
    var scale = Math.min(MAX_ZOOM, 0.97 * Math.min(container.clientWidth / w, container.clientHeight / h));
    network.moveTo({ position: { x: (ext[0] + ext[2]) / 2, y: (ext[1] + ext[3]) / 2 }, scale: scale,
                     animation: false });
  }
  // a resize refits only a view nobody has moved since the last fit: not one the reader zoomed or
  // dragged, nor one another script (a story step) moved with the network's fit, moveTo or focus
  var touched = false, fitting = false;
  ["fit", "moveTo", "focus"].forEach(function (name) {
    var own = network[name];
    network[name] = function () {
      if (!fitting) { touched = true; }
      return own.apply(network, arguments);
    };
  });
  network.on("zoom", function () { touched = true; });
  network.on("dragEnd", function () { touched = true; });
  function fitAndRemember() {
    fitting = true;
    try { fit(); } finally { fitting = false; }
    touched = false;
  }
  function untouched() { return !touched; }
  api.fit = fitAndRemember;
  // without an extent (a large view) vis-network's own fit on load stands: fitting again before the first
  // frame would measure every label twice
  if (DATA.extent) { fitAndRemember(); }
  var stage = document.getElementById("kg-stage");
  var lastSize = stage.clientWidth + "x" + stage.clientHeight;
  function refit() {
    var size = stage.clientWidth + "x" + stage.clientHeight;
    if (size === lastSize) { return; }
    lastSize = size;
    var refitting = untouched();  // a view zoomed by the reader or a story stays as it is
    network.setSize("100%", "100%");
    network.redraw();
    if (refitting) { fitAndRemember(); }
  }
  if (window.ResizeObserver) { new ResizeObserver(refit).observe(stage); }
  window.addEventListener("resize", refit);
  window.addEventListener("beforeprint", function () { lastSize = ""; touched = false; refit(); });
  window.addEventListener("afterprint", function () { lastSize = ""; touched = false; refit(); });

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
  var DOCS = DATA.documents || {};
  // « Fonds ODD17 – fiche partenaire PEMB », Fonds ODD17, non daté: a document by its title, never its file id
  function docLine(id) {
    var d = DOCS[id];
    if (!d) { return id; }
    var text = d.title;
    if (d.publisher) { text += " — " + d.publisher; }
    text += ", " + (d.issued || UI.undated_doc);
    return text;
  }
  api.docLine = docLine;
  function sources(box, refs, all) {
    var list = refs || [];
    (all ? list : list.slice(0, 3)).forEach(function (i) {
      var s = DATA.quotes[i];
      box.appendChild(el("blockquote", "quote", s[1]));
      box.appendChild(el("div", "doc", UI.source + " : " + docLine(s[0])));
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
    var a = byId[e.from], b = byId[e.to];
    // funder → grant → recipient: the grant's own name already says who gives what to whom
    var grant = a.kind === "funding" ? a : (b.kind === "funding" ? b : null);
    box.appendChild(el("div", "t", grant ? grant.label : a.label + " → " + b.label));
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

  // ---------- focus: a set of nodes and links stands out, the rest is dimmed
  var dimmed = false;
  var DIMMED = steady(DIM, DIM);
  function focus(nodeIds, edgeIds) {
    var on = {}, onEdge = {};
    (nodeIds || []).forEach(function (id) { on[id] = true; });
    if (edgeIds) {
      edgeIds.forEach(function (id) { onEdge[id] = true; });
    } else {  // the links between the focused nodes
      DATA.edges.forEach(function (e) { if (on[e.from] && on[e.to]) { onEdge[e.id] = true; } });
    }
    nodes.update(DATA.nodes.map(function (n) {
      return on[n.id] ? { id: n.id, color: nodeStyle(n).color || groupColor(n), font: groupFont(n) }
                      : { id: n.id, color: DIMMED, font: { color: "rgba(0,0,0,0.2)", background: "rgba(0,0,0,0)" } };
    }));
    edges.update(DATA.edges.map(function (e) { return { id: e.id, color: onEdge[e.id] ? e.color : DIM }; }));
    dimmed = true;
  }
  function focusOn(id) {
    var near = [id].concat(network.getConnectedNodes(id));
    focus(near, network.getConnectedEdges(id));
    api.focused = id;
  }
  function unfocus() {
    api.focused = null;
    if (!dimmed) { return; }
    nodes.update(DATA.nodes.map(function (n) {
      return { id: n.id, color: nodeStyle(n).color || groupColor(n), font: groupFont(n) };
    }));
    edges.update(DATA.edges.map(function (e) { return { id: e.id, color: e.color }; }));
    dimmed = false;
  }
  api.focusOn = focusOn;
  // for other scripts (a story step): the set stands out and the view zooms on it ({zoom: false}: it stays)
  api.focus = function (nodeIds, edgeIds, opts) {
    focus(nodeIds, edgeIds);
    api.focused = null;
    var shown = (nodeIds || []).filter(function (id) { var n = nodes.get(id); return n && !n.hidden; });
    if (shown.length && !(opts && opts.zoom === false)) {
      network.fit({ nodes: shown, maxZoomLevel: MAX_ZOOM,
                    animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    }
  };
  api.unfocus = unfocus;
  api.isDimmed = function () { return dimmed; };

  // ---------- side panel: the whole card of a node, every source with its sentence
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  function hidePanel() { panel.hidden = true; api.panel = null; }
  function showPanel(id) {
    var n = byId[id];
    if (!n) { return; }
    while (panelBody.firstChild) { panelBody.removeChild(panelBody.firstChild); }
    panelBody.appendChild(el("h2", null, n.label));
    if (n.description) { panelBody.appendChild(el("p", "desc", n.description)); }
    var dl = el("dl");
    row(dl, UI.type, n.group ? n.familyLabel : (n.types && n.types.length ? n.types : n.familyLabel));
    row(dl, UI.alt, n.alt);
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
    panelBody.appendChild(dl);
    if (n.src && n.src.length) {
      panelBody.appendChild(el("h3", null, UI.sources + " (" + n.src.length + ")"));
      sources(panelBody, n.src, true);
    }
    panel.hidden = false;
    panel.scrollTop = 0;
    api.panel = id;
  }
  api.showPanel = showPanel;
  api.hidePanel = hidePanel;
  document.getElementById("kg-panel-close").addEventListener("click", hidePanel);

  network.on("click", function (p) {
    if (p.nodes.length) { focusOn(p.nodes[0]); showPanel(p.nodes[0]); } else { unfocus(); hidePanel(); }
  });

  // ---------- search: names, other names and acronyms, then types and themes
  var names = document.getElementById("kg-names");
  var search = document.getElementById("kg-search");
  function fillNames() {  // built on first use: thousands of <option> would delay the first frame
    if (names.childNodes.length) { return; }
    var seen = {};
    DATA.nodes.forEach(function (n) {
      if (DATA.nodes.length > 3000 && n.kind !== "actor") { return; }
      [n.label].concat(n.alt || []).forEach(function (name) {
        if (seen[name]) { return; }
        seen[name] = true;
        var o = document.createElement("option");
        o.value = name;
        names.appendChild(o);
      });
    });
  }
  search.addEventListener("focus", fillNames);
  var status = document.getElementById("kg-status");
  function norm(s) { return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function tags(n) { return [].concat(n.types || [], n.themeLabels || [], n.themes || [], [n.familyLabel || ""]); }
  // the nodes *q* names: one node for a name (exact, then the start of a word, then anywhere), or every
  // node of a type or a theme
  function find(q) {
    var key = norm(q.trim());
    if (!key) { return []; }
    var best = null, rank = 9;
    DATA.nodes.forEach(function (n) {
      [n.label].concat(n.alt || []).forEach(function (name, i) {
        var l = norm(name);
        var r = l === key ? (i ? 1 : 0) : (l.indexOf(key) === 0 || l.indexOf(" " + key) >= 0) ? 2 : l.indexOf(key) >= 0 ? 3 : 9;
        if (r < rank) { best = n; rank = r; }
      });
    });
    if (best && rank < 3) { return [best]; }
    var tagged = DATA.nodes.filter(function (n) {
      return tags(n).some(function (t) { return norm(t) === key || norm(t).indexOf(key) === 0; });
    });
    if (tagged.length) { return tagged; }
    return best ? [best] : [];
  }
  api.find = function (q) { return find(q).map(function (n) { return n.id; }); };
  function go() {
    var found = find(search.value);
    status.textContent = found.length || !search.value ? "" : UI.not_found;
    if (!search.value.trim()) { reset(); return; }
    if (!found.length) { return; }
    if (found.length === 1) {
      var n = found[0];
      network.selectNodes([n.id]);
      focusOn(n.id);
      network.focus(n.id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 300 } });
      return;
    }
    var ids = found.map(function (x) { return x.id; });
    network.selectNodes(ids);
    focus(ids.concat([].concat.apply([], ids.map(function (i) { return network.getConnectedNodes(i); }))));
    api.focused = ids[0];
    network.fit({ nodes: ids, maxZoomLevel: MAX_ZOOM, animation: { duration: 300 } });
  }
  search.addEventListener("change", go);
  search.addEventListener("search", go);  // the field's own clear button
  search.addEventListener("input", function () { if (!search.value) { go(); } });
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
  api.search = function (q) { search.value = q; go(); return api.focused; };

  // ---------- reset: the view as it opened (button, Escape)
  function reset() {
    unfocus();
    network.unselectAll();
    hidePanel();
    hideTip();
    status.textContent = "";
    if (search.value) { search.value = ""; }
    fitAndRemember();
  }
  api.reset = reset;
  document.getElementById("kg-reset").addEventListener("click", reset);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !ev.defaultPrevented) { reset(); }
  });
  performance.mark("kg-ready");
})();
