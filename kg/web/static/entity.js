// The neighbourhood graph of an entity page: graphology + sigma.js, data from /api/neighbourhood.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || !window.graphology || !window.Sigma) { return; }
  var iri = box.dataset.iri;
  var palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
  var colours = {};
  function colour(t) {
    if (!(t in colours)) { colours[t] = palette[Object.keys(colours).length % palette.length]; }
    return colours[t];
  }
  fetch("/api/neighbourhood?iri=" + encodeURIComponent(iri)).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  }).then(function (data) {
    var g = new graphology.MultiDirectedGraph();
    var others = data.nodes.filter(function (n) { return n.id !== data.center; });
    data.nodes.forEach(function (n) {
      var i = others.indexOf(n), a = 2 * Math.PI * i / Math.max(1, others.length);
      var centre = n.id === data.center;
      g.addNode(n.id, {
        label: n.label, href: n.href, size: centre ? 14 : 7, color: colour(n.type || "?"),
        x: centre ? 0 : Math.cos(a) * (1 + (i % 2) * 0.25), y: centre ? 0 : Math.sin(a) * (1 + (i % 2) * 0.25)
      });
    });
    data.edges.forEach(function (e) {
      if (g.hasNode(e.source) && g.hasNode(e.target)) {
        g.addEdge(e.source, e.target, { label: e.label, size: 1.5, color: "#bbb", type: "arrow" });
      }
    });
    var renderer = new Sigma(g, box, { renderEdgeLabels: true, labelRenderedSizeThreshold: 0 });
    renderer.on("clickNode", function (ev) {
      var href = g.getNodeAttribute(ev.node, "href");
      if (href && ev.node !== data.center) { window.location.href = href; }
    });
    box.dataset.nodes = String(g.order);
    box.dataset.edges = String(g.size);
  }).catch(function (err) {
    box.textContent = "graph view unavailable: " + err.message;
  });
})();
