// Drill-down through the groups of a large view (kg/present/groups.py): the page opens on the top level;
// a click on a group shows what it holds (sub-groups, or nodes and their links); the breadcrumb goes back.
// Data comes from DATA.addons.groups as compact arrays; every text reaches the DOM through textContent.
(function () {
  "use strict";
  var V = window.kgView;
  if (!V || !V.data.addons || !V.data.addons.groups) { return; }
  var A = V.data.addons.groups, DATA = V.data, W = A.words;
  var lang = document.documentElement.lang || "fr";
  var groups = A.g, items = A.items;
  var kidGroups = {}, kidItems = {}, linksIn = {};
  groups.forEach(function (row, i) { (kidGroups[row[1]] = kidGroups[row[1]] || []).push(i); });
  items.forEach(function (row, i) { (kidItems[row[2]] = kidItems[row[2]] || []).push(i); });
  function parentOf(rep) { return rep >= 0 ? groups[rep][1] : items[-1 - rep][2]; }
  A.links.forEach(function (l) { var p = parentOf(l[0]); (linksIn[p] = linksIn[p] || []).push(l); });
  Object.keys(kidGroups).forEach(function (k) {
    kidGroups[k].sort(function (a, b) { return groups[b][2] - groups[a][2]; });
  });

  // the families of the nodes inside the groups join the page's vis-network groups (shape, colour)
  A.fam.forEach(function (f) {
    if (V.families[f[0]]) { return; }
    var g = { shape: f[3], color: { background: f[2], border: "#555", highlight: { background: f[2], border: "#000" },
                                    hover: { background: f[2], border: "#000" } } };
    if (f[3] === "box") { g.color.border = f[2]; g.font = { color: "#fff" }; g.margin = 6; }
    V.families[f[0]] = g;
  });
  V.network.setOptions({ groups: V.families });

  function count(n) { return Number(n).toLocaleString(lang); }
  function someMembers(g, max) {  // the first labels under group g, for its tooltip
    var out = [], queue = [g];
    while (queue.length && out.length < max) {
      var h = queue.shift();
      (kidItems[h] || []).slice(0, max - out.length).forEach(function (i) { out.push(items[i][0]); });
      (kidGroups[h] || []).forEach(function (k) { queue.push(k); });
    }
    return out;
  }
  function groupNode(g, x, y) {
    return { id: "g" + g, label: groups[g][0] + " (" + count(groups[g][2]) + ")", family: "group",
             familyLabel: top.nodes.length ? top.nodes[0].familyLabel : "", group: true, kind: "group",
             members: someMembers(g, 8), memberCount: groups[g][2], x: x, y: y,
             size: 14 + 3 * Math.log2(Math.max(1, groups[g][2])), types: [], themes: [],
             color: A.groupColor, shape: "dot" };
  }
  function itemNode(i, x, y) {
    var f = A.fam[items[i][1]];
    return { id: "i" + i, label: items[i][0], family: f[0], familyLabel: f[1], types: [f[1]], kind: "item",
             x: x, y: y, themes: [], color: f[2], shape: f[3] };
  }
  function repId(r) { return r >= 0 ? "g" + r : "i" + (-1 - r); }

  var top = { nodes: DATA.nodes.slice(), edges: DATA.edges.slice() };
  var path = [];  // the open groups, outermost first

  function visNode(n) {
    var s = { id: n.id, label: n.label, x: n.x, y: n.y, group: n.family };
    if (n.size) { s.size = n.size; }
    return s;
  }
  function visEdge(e) {
    var s = { id: e.id, from: e.from, to: e.to, color: e.color, width: e.width };
    if (e.count) { s.arrows = { to: { enabled: false } }; }
    return s;
  }
  function replace(ns, es) {
    DATA.nodes.length = 0; Array.prototype.push.apply(DATA.nodes, ns);
    DATA.edges.length = 0; Array.prototype.push.apply(DATA.edges, es);
    Object.keys(V.byId).forEach(function (k) { delete V.byId[k]; });
    Object.keys(V.edgeById).forEach(function (k) { delete V.edgeById[k]; });
    ns.forEach(function (n) { V.byId[n.id] = n; });
    es.forEach(function (e) { V.edgeById[e.id] = e; });
    V.nodes.clear(); V.edges.clear();
    V.nodes.add(ns.map(visNode)); V.edges.add(es.map(visEdge));
    if (V.apply) { V.apply(); }
    V.network.fit();
    crumbs();
  }
  function open(g) {
    if (g === -1) { path = []; replace(top.nodes.slice(), top.edges.slice()); return; }
    var chain = [], h = g;
    while (h >= 0) { chain.unshift(h); h = groups[h][1]; }
    path = chain;
    var reps = (kidGroups[g] || []).concat((kidItems[g] || []).map(function (i) { return -1 - i; }));
    // in rows, largest groups first, then the nodes (as kg.present.groups.grid): no label overlaps another
    var cols = Math.max(1, Math.ceil(Math.sqrt(reps.length * 1.8))), rows = Math.ceil(reps.length / cols);
    var ns = reps.map(function (r, k) {
      var w = r >= 0 ? 260 : 200, h = r >= 0 ? 150 : 90;
      var x = (k % cols) * w - (cols - 1) * w / 2, y = Math.floor(k / cols) * h - (rows - 1) * h / 2;
      return r >= 0 ? groupNode(r, x, y) : itemNode(-1 - r, x, y);
    });
    var es = (linksIn[g] || []).map(function (l, k) {
      var kind = A.kinds[l[3]], agg = l[0] >= 0 || l[1] >= 0 || l[2] > 1;
      return { id: "l" + k, from: repId(l[0]), to: repId(l[1]), kind: agg ? "groupe" : kind[0],
               kindLabel: agg ? W.links : kind[1], count: agg ? l[2] : null,
               color: agg ? "#969696" : kind[2], width: agg ? Math.min(8, 1 + Math.log2(l[2])) : 1.2,
               y0: null, y1: null };
    });
    replace(ns, es);
  }

  // the breadcrumb: "All › Région › Département", each a button
  var bar = document.createElement("nav");
  bar.id = "kg-groups";
  bar.setAttribute("aria-label", W.all);
  document.getElementById("kg-stage").appendChild(bar);
  function button(text, g) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", function () { open(g); });
    return b;
  }
  function crumbs() {
    while (bar.firstChild) { bar.removeChild(bar.firstChild); }
    if (path.length) { bar.appendChild(button("↑ " + W.up, path.length > 1 ? path[path.length - 2] : -1)); }
    bar.appendChild(button(W.all, -1));
    path.forEach(function (g) {
      var sep = document.createElement("span");
      sep.textContent = " › ";
      bar.appendChild(sep);
      bar.appendChild(button(groups[g][0] + " (" + count(groups[g][2]) + ")", g));
    });
  }
  V.network.on("click", function (p) {
    if (p.nodes.length && String(p.nodes[0]).charAt(0) === "g") { open(parseInt(String(p.nodes[0]).slice(1), 10)); }
  });
  crumbs();

  // search: a name not drawn at this level is looked up among all the nodes, and its group opened
  function norm(x) { return String(x).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  var search = document.getElementById("kg-search"), status = document.getElementById("kg-status");
  function deep() {
    var key = norm(search.value.trim());
    if (!key || (status && !status.textContent)) { return; }  // empty, or found where it is drawn
    var exact = -1, partial = -1;
    for (var i = 0; i < items.length && exact < 0; i++) {
      var l = norm(items[i][0]);
      if (l === key) { exact = i; } else if (partial < 0 && l.indexOf(key) >= 0) { partial = i; }
    }
    var hit = exact >= 0 ? exact : partial;
    if (hit < 0) { return; }
    open(items[hit][2]);
    V.search(items[hit][0]);
  }
  if (search) {
    search.addEventListener("change", deep);
    search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { deep(); } });
  }
  V.groups = { open: open, path: function () { return path.slice(); }, find: function (q) {
    search.value = q; V.search(q); deep(); return V.focused; } };
})();
