// The query page (kg/serve/templates/serve_query.html): YASGUI on this server's own /sparql, preloaded with
// the named questions. A file, not an inline script, so that the page's CSP can be script-src 'self'.
//
// The endpoint is always this server's own: nothing is read from the URL (no populateFromUrl, no YASQE
// share link), nothing is remembered in localStorage (persistenceId: null), and the endpoint catalogue
// offers only this endpoint. The server's CSP (connect-src 'self') enforces the same in the browser.
(function () {
  "use strict";
  var endpoint = new URL("sparql", document.baseURI).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    populateFromUrl: false,
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      }
    },
    yasqe: { autocompleters: ["variables"], consumeShareLink: null, createShareableLink: null }
  });
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var bar = document.getElementById("examples");
  examples.forEach(function (ex) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = ex.name;
    b.title = ex.title_fr + "\n" + ex.title_en;
    b.addEventListener("click", function () {
      yasgui.addTab(true, { name: ex.name, yasqe: { value: ex.query } });
    });
    bar.appendChild(b);
  });
  // A link to /sparql?query=… opened in a browser (an actor page's named questions): the server put that
  // query in #preload-data (as JSON text, never as markup); it goes into the editor as text and runs.
  var preload = JSON.parse(document.getElementById("preload-data").textContent);
  var tab = yasgui.getTab();
  if (tab && preload && typeof preload.query === "string") {
    // a named question (its parameters bound to other values) keeps its name: the same first line
    var head = preload.query.split("\n")[0];
    var named = examples.filter(function (ex) {
      return ex.query === preload.query || (head.indexOf("# title") === 0 && ex.query.split("\n")[0] === head);
    })[0];
    tab.setQuery(preload.query);
    tab.setName(named ? named.name : "Question");
    tab.getYasqe().query();
  } else if (tab && examples.length) {
    tab.setQuery(examples[0].query);
    tab.setName(examples[0].name);
  }
})();
