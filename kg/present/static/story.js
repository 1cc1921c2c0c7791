// Story mode (add-on "story", data from kg/present/story.py): steps that each focus a few nodes and links
// and show one sentence with its source. Arrow keys and buttons move through them; the step is in the URL
// fragment (#etape=3), so a slide can link to it. Every text goes in with textContent.
(function () {
  "use strict";
  var api = window.kgView;
  if (!api || !api.data.addons || !api.data.addons.story) { return; }
  var DATA = api.data;
  var S = DATA.addons.story;
  var UI = S.ui;
  var STEPS = S.steps || [];
  var DIM = "rgba(200,200,200,0.35)";

  // ---------- steps: IRIs to the page's node and edge ids
  var idOf = {};
  DATA.nodes.forEach(function (n) { if (n.iri) { idOf[n.iri] = n.id; } });
  var edgesBetween = {};
  DATA.edges.forEach(function (e) {
    [e.from + "|" + e.to, e.to + "|" + e.from].forEach(function (k) { (edgesBetween[k] = edgesBetween[k] || []).push(e.id); });
  });
  var resolved = STEPS.map(function (s) {
    var nodeIds = [], edgeIds = [];
    (s.nodes || []).forEach(function (iri) { if (idOf[iri] && nodeIds.indexOf(idOf[iri]) < 0) { nodeIds.push(idOf[iri]); } });
    (s.edges || []).forEach(function (pair) {
      var a = idOf[pair[0]], b = idOf[pair[1]];
      if (!a || !b) { return; }
      (edgesBetween[a + "|" + b] || []).forEach(function (id) { if (edgeIds.indexOf(id) < 0) { edgeIds.push(id); } });
      [a, b].forEach(function (id) { if (nodeIds.indexOf(id) < 0) { nodeIds.push(id); } });
    });
    return { nodes: nodeIds, edges: edgeIds };
  });

  // ---------- the panel
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }
  var panel = el("section");
  panel.id = "kg-story";
  panel.setAttribute("aria-label", S.title);
  var nav = el("nav");
  var prev = el("button", "prev", UI.prev);
  prev.type = "button";
  var counter = el("span", "counter");
  counter.id = "kg-story-counter";
  var next = el("button", "next", UI.next);
  next.type = "button";
  nav.appendChild(prev);
  nav.appendChild(counter);
  nav.appendChild(next);
  var body = el("div", "body");
  body.setAttribute("aria-live", "polite");
  var heading = el("div", "heading");
  heading.id = "kg-story-title";
  var sentence = el("p", "sentence");
  sentence.id = "kg-story-sentence";
  var more = el("ul", "more");
  var quote = el("blockquote", "quote");
  quote.id = "kg-story-quote";
  var source = el("div", "source");
  source.id = "kg-story-source";
  [heading, sentence, more, quote, source].forEach(function (x) { body.appendChild(x); });
  panel.appendChild(nav);
  panel.appendChild(body);
  var main = document.getElementById("kg-main");
  main.parentNode.insertBefore(panel, main);

  // ---------- focusing: the layout's own focus() when the page has one, else dim the rest here
  function colours(n) {
    var border = n.hl || n.focus ? "#000" : (n.shape === "box" ? n.color : "#555");
    return { background: n.color, border: border };
  }
  function font(n) { return { color: n.shape === "box" ? "#fff" : "#222" }; }
  function focusHere(nodeIds, edgeIds) {
    var on = {}, onE = {};
    nodeIds.forEach(function (id) { on[id] = true; });
    edgeIds.forEach(function (id) { onE[id] = true; });
    api.nodes.update(DATA.nodes.map(function (n) {
      return on[n.id] ? { id: n.id, color: colours(n), font: font(n), borderWidth: 3 }
                      : { id: n.id, color: { background: DIM, border: DIM }, font: { color: "rgba(0,0,0,0.2)" }, borderWidth: 1 };
    }));
    api.edges.update(DATA.edges.map(function (e) {
      return { id: e.id, color: onE[e.id] ? e.color : DIM, width: onE[e.id] ? Math.max(3, e.width) : e.width };
    }));
    fitTo(nodeIds, true);
  }
  function fitTo(nodeIds, animate) {
    var visible = nodeIds.filter(function (id) { var n = api.nodes.get(id); return n && !n.hidden; });
    if (visible.length) {
      api.network.fit({ nodes: visible, maxZoomLevel: 1.3,
                        animation: animate ? { duration: 350, easingFunction: "easeInOutQuad" } : false });
    }
  }
  function resetHere() {
    api.nodes.update(DATA.nodes.map(function (n) {
      return { id: n.id, color: colours(n), font: font(n), borderWidth: n.hl ? 4 : (n.focus ? 2 : 1) };
    }));
    api.edges.update(DATA.edges.map(function (e) { return { id: e.id, color: e.color, width: e.width }; }));
    api.network.fit({ animation: { duration: 350, easingFunction: "easeInOutQuad" } });
  }
  function focus(step) {
    if (typeof api.focus === "function") { api.focus(step.nodes, step.edges); } else { focusHere(step.nodes, step.edges); }
  }
  function reset() {
    if (typeof api.reset === "function") { api.reset(); } else { resetHere(); }
  }

  // ---------- moving through the steps
  var current = -1;
  var KEY = new RegExp("(?:^|[#&])(?:etape|step)=(\\d+)");
  function fromHash() {
    var m = KEY.exec(location.hash || "");
    return m ? Math.min(parseInt(m[1], 10), STEPS.length) : 0;
  }
  function writeHash(i) {
    var base = location.href.split("#")[0];
    var url = i ? base + "#" + UI.fragment + "=" + i : base;
    if (location.href === url) { return; }
    try { history.replaceState(null, "", url); } catch (err) { location.hash = i ? UI.fragment + "=" + i : ""; }
  }
  function clear(x) { while (x.firstChild) { x.removeChild(x.firstChild); } }
  function render(i) {
    clear(more);
    prev.disabled = i <= 0;
    next.disabled = i >= STEPS.length;
    if (i === 0) {
      counter.textContent = UI.overview;
      heading.textContent = S.title;
      sentence.textContent = UI.intro.replace("{n}", String(STEPS.length)).split("{s}").join(STEPS.length > 1 ? "s" : "");
      quote.textContent = "";
      quote.hidden = true;
      source.textContent = "";
      return;
    }
    var s = STEPS[i - 1];
    counter.textContent = UI.step + " " + i + " " + UI.of + " " + STEPS.length;
    heading.textContent = s.title || "";
    sentence.textContent = s.sentence || "";
    (s.more || []).forEach(function (t) { more.appendChild(el("li", null, t)); });
    var src = s.source;
    if (src) {
      quote.hidden = false;
      quote.textContent = (S.lang === "en" ? "“" + src.quote + "”" : "« " + src.quote + " »");
      quote.title = src.quote;  // the whole sentence when three lines cut it
      var meta = [src.title, src.publisher, src.date].filter(function (x) { return x; });
      source.textContent = UI.source + (S.lang === "en" ? ": " : " : ") + meta.join(", ");
    } else {
      quote.hidden = true;
      quote.textContent = "";
      source.textContent = UI.no_source;
    }
  }
  function show(i, fromUser) {
    i = Math.max(0, Math.min(STEPS.length, i | 0));
    if (i === current) { return; }
    current = i;
    render(i);
    // a year-by-year story moves the slider; the overview goes back to the year the page opened at
    if (S.years && api.setYear) { api.setYear(i ? STEPS[i - 1].year : (DATA.year || null)); }
    if (i === 0) { reset(); } else { focus(resolved[i - 1]); }
    if (fromUser) { writeHash(i); }
    api.storyStep = i;
  }
  prev.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () { show(current + 1, true); });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target && ev.target.tagName;
    if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var to = { ArrowRight: current + 1, ArrowLeft: current - 1, PageDown: current + 1, PageUp: current - 1,
               Home: 0, End: STEPS.length }[ev.key];
    if (to === undefined) { return; }
    ev.preventDefault();
    show(to, true);
  });
  window.addEventListener("hashchange", function () { show(fromHash(), false); });
  api.story = { show: function (i) { show(i, true); }, steps: STEPS.length, step: function () { return current; } };
  show(fromHash(), false);
})();
