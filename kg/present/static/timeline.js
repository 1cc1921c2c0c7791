// Time axis (add-on "timeline"): a strip under the network, one column per year of the slider, with a mark
// per dated link, programme, event or publication starting that year; clicking a year sets the slider.
// Nodes with no known date (api.undated, from view.js) get a dashed border and a legend line.
(function () {
  "use strict";
  var api = window.kgView;
  if (!api || !api.data.addons || !api.data.addons.timeline || !api.data.years || !api.setYear) { return; }
  var DATA = api.data;
  var UI = DATA.addons.timeline.ui;
  var first = DATA.years[0], last = DATA.years[1];
  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }

  // ---------- marks per year
  var marks = {};
  function mark(y, colour, text) {
    if (!y || y < first || y > last) { return; }
    (marks[y] = marks[y] || []).push({ colour: colour, text: text });
  }
  DATA.nodes.forEach(function (n) {
    if (n.y0 && (n.kind === "programme" || n.kind === "event" || n.kind === "publication")) {
      mark(n.y0, n.color, n.label + " (" + n.familyLabel + ")");
    }
  });
  DATA.edges.forEach(function (e) {
    if (e.y0 && !e.count) {
      mark(e.y0, e.color, byId[e.from].label + " → " + byId[e.to].label + " (" + e.kindLabel + ")");
    }
  });

  // ---------- the strip
  var strip = el("div");
  strip.id = "kg-timeline";
  strip.setAttribute("role", "group");
  strip.setAttribute("aria-label", UI.timeline);
  var years = el("div", "years");
  var buttons = {};
  var every = Math.max(1, Math.ceil((last - first + 1) / 20));  // at most ~20 year numbers written
  for (var y = first; y <= last; y++) {
    var b = el("button", "year");
    b.type = "button";
    b.setAttribute("data-year", String(y));
    var list = marks[y] || [];
    var dots = el("span", "marks");
    list.slice(0, 8).forEach(function (m) {
      var d = el("span", "dot");
      d.style.background = m.colour;
      dots.appendChild(d);
    });
    if (list.length > 8) { dots.appendChild(el("span", "plus", "+" + (list.length - 8))); }
    b.appendChild(dots);
    b.appendChild(el("span", "label", (y - first) % every === 0 || list.length ? String(y) : ""));
    b.title = String(y) + (list.length ? " — " + list.length + " : " + list.map(function (m) { return m.text; }).join(" ; ") : "");
    if (list.length) { b.classList.add("has"); }
    (function (year) { b.addEventListener("click", function () { api.setYear(year); }); })(y);
    buttons[y] = b;
    years.appendChild(b);
  }
  var all = el("button", "all", UI.all_years);
  all.type = "button";
  all.addEventListener("click", function () { api.setYear(null); });
  strip.appendChild(years);
  strip.appendChild(all);
  var n = api.undated.length;
  var key = el("div", "undated-key");
  key.id = "kg-undated";
  key.appendChild(el("span", "dashed"));
  key.appendChild(el("span", null, UI.undated + (n ? " — " + UI.undated_note.replace("{n}", String(n)).split("{s}").join(n > 1 ? "s" : "") : "")));
  strip.appendChild(key);
  var main = document.getElementById("kg-main");
  main.parentNode.insertBefore(strip, main.nextSibling);
  var legend = document.querySelector("#kg-legend ul");
  if (legend && n) {
    var li = el("li", "undated-legend");
    li.appendChild(el("span", "dashed"));
    li.appendChild(el("span", null, UI.undated));
    legend.appendChild(li);
  }

  // ---------- undated nodes: a dashed border
  api.nodes.update(api.undated.map(function (id) {
    return { id: id, borderWidth: 2, shapeProperties: { borderDashes: [5, 4] } };
  }));

  // ---------- the current year
  function current(year) {
    Object.keys(buttons).forEach(function (k) {
      var y = parseInt(k, 10);
      buttons[k].classList.toggle("now", year !== null && y === year);
      buttons[k].classList.toggle("past", year === null || y <= year);
    });
    all.classList.toggle("now", year === null);
  }
  document.addEventListener("kg-year", function (ev) { current(ev.detail); });
  current(api.year());
  api.timeline = { marks: marks, strip: strip };
})();
