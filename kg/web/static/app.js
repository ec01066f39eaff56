// The query editor: YASGUI on our own endpoint, preloaded with the named queries of queries/.
(function () {
  "use strict";
  var endpoint = window.location.origin + "/sparql";
  var DATA_NS = "https://w3id.org/kgdk/id/";
  // Only autocompleters that work offline (the others fetch from prefix.cc / LOV); set on the
  // defaults because YASGUI merges (concatenates) arrays given in its config.
  if (Yasgui.Yasqe && Yasgui.Yasqe.defaults) { Yasgui.Yasqe.defaults.autocompleters = ["variables"]; }
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,          // no localStorage state: the page always starts clean
    populateFromUrl: true
  });
  window.yasgui = yasgui;

  function load(q) {
    var tab = yasgui.getTab();
    tab.setQuery(q.query);
    tab.setName(q.name);
  }

  // IRIs of our data open their entity page on this server (not the w3id.org redirect)
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[href]") : null;
    if (a && a.getAttribute("href").indexOf(DATA_NS) === 0) {
      ev.preventDefault();
      window.location.href = "/id/" + a.getAttribute("href").slice(DATA_NS.length);
    }
  }, true);

  fetch("/api/queries").then(function (r) { return r.json(); }).then(function (qs) {
    var ul = document.getElementById("named-queries");
    ul.textContent = "";
    qs.forEach(function (q) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "named-query";
      b.dataset.name = q.name;
      b.textContent = q.title || q.name;           // textContent: never HTML
      b.addEventListener("click", function () { load(q); });
      li.appendChild(b);
      if (q.description) {
        var d = document.createElement("div");
        d.className = "desc";
        d.textContent = q.description;
        li.appendChild(d);
      }
      ul.appendChild(li);
    });
    if (!qs.length) { ul.textContent = "(no named queries found)"; }
    else if (!yasgui.getTab().getQuery().trim() || /SELECT \* WHERE \{\s*\?sub \?pred \?obj/.test(yasgui.getTab().getQuery())) {
      load(qs[0]);
    }
    document.body.dataset.queriesLoaded = String(qs.length);
  });
})();
