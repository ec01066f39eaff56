#!/usr/bin/env node
// Parse a GEXF file with graphology-gexf (the parser Gephi Lite uses) and print a JSON summary.
// Usage: node read-gexf.js FILE [--full]
// The XML is first parsed strictly (any xmldom warning/error/fatal error aborts with exit 1),
// then handed to graphology-gexf as a Document, so a malformed file can never pass silently.
'use strict';
const fs = require('fs');
const {DOMParser} = require('@xmldom/xmldom');
const Graph = require('graphology');
const gexf = require('graphology-gexf');

function fail(msg) {
  process.stderr.write('read-gexf: ' + msg + '\n');
  process.exit(1);
}

const args = process.argv.slice(2);
const file = args.find(a => !a.startsWith('--'));
if (!file) fail('usage: node read-gexf.js FILE [--full]');
const full = args.includes('--full');

const text = fs.readFileSync(file, 'utf8');
const problems = [];
const parser = new DOMParser({
  errorHandler: {
    warning: m => problems.push('warning: ' + m),
    error: m => problems.push('error: ' + m),
    fatalError: m => problems.push('fatal: ' + m),
  },
});
let doc;
try {
  doc = parser.parseFromString(text, 'application/xml');
} catch (e) {
  fail('XML not well-formed: ' + e.message);
}
if (problems.length) fail('XML not well-formed: ' + problems.join(' | '));

let graph;
try {
  graph = gexf.parse(Graph, doc);
} catch (e) {
  fail('graphology-gexf: ' + e.message);
}

const out = {order: graph.order, size: graph.size, type: graph.type, multi: graph.multi};
if (full) {
  out.nodes = graph.mapNodes((key, attrs) => Object.assign({key}, attrs));
  out.edges = graph.mapEdges((key, attrs, source, target) => Object.assign({key, source, target}, attrs));
}
process.stdout.write(JSON.stringify(out) + '\n');
