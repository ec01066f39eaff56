"""The `kg` command line: thin click commands over library functions.

Messages go to stderr; data to stdout or the file named by -o/--out.
Exit codes: 0 success, 1 some inputs failed (or violations for `validate`), 2 usage/fatal error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__


def _err(msg: str) -> None:
    click.echo(msg, err=True)


def _open_store(store_dir):
    """Open an existing store for a command, or exit 2 with one line naming the problem."""
    from .store import Store, StoreError, default_path

    try:
        return Store.open(store_dir or default_path(), create=False)
    except StoreError as e:
        _err(f"error: {e}")
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph from Danish municipal committee minutes."""


# --------------------------------------------------------------------------- extract
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True,
              help="Output format (the field contract of the gold SCHEMA.md).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/<stem>.json per document instead of printing.")
def extract(paths, fmt, out_dir):
    """Extract structured records from minutes (.txt, .md, .pdf, .html; directories recurse).

    Without --out, one document prints as a JSON object, several as JSON Lines.
    """
    from .extract import to_json
    from .io import atomic_write_text
    from .pipeline import parse
    from .sources import SourceError, iter_paths, read_source

    failed = empty_dirs = 0
    files = []
    for given in paths:                      # a directory without supported files is a failed input
        found = list(iter_paths([given]))
        if not found and given.is_dir():
            _err(f"error: {given}: no supported files (.txt, .md, .pdf, .html, .htm) in this directory")
            empty_dirs += 1
        files.extend(found)
    seen: set = set()                        # the same file named twice (or via a directory) once
    files = [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]
    if out_dir:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            _err(f"error: {out_dir}: cannot create output directory: {e.strerror or e}")
            sys.exit(2)
    # one file argument -> one indented JSON object; several arguments or a directory -> JSON Lines
    single = len(paths) == 1 and not paths[0].is_dir()
    written: dict[str, Path] = {}
    for p in files:
        try:
            doc = parse(read_source(p))
        except SourceError as e:
            _err(f"error: {e}")
            failed += 1
            continue
        except Exception as e:  # a parser bug must not stop the other inputs
            _err(f"error: {p}: internal error while parsing ({type(e).__name__}: {' '.join(str(e).split())[:200]})")
            failed += 1
            continue
        data = json.dumps(to_json(doc), ensure_ascii=False, indent=1 if (out_dir or single) else None)
        if out_dir:
            name = Path(p).stem + ".json"
            if name in written:
                _err(f"error: {p}: output {out_dir / name} was already written for {written[name]}; skipped")
                failed += 1
                continue
            try:
                atomic_write_text(out_dir / name, data + "\n")
            except OSError as e:
                _err(f"error: {p}: cannot write {out_dir / name}: {e.strerror or e}")
                failed += 1
                continue
            written[name] = p
        else:
            click.echo(data)
    failed += empty_dirs
    if failed:
        _err(f"{failed} of {len(files) + empty_dirs} input(s) failed")
        sys.exit(1)


# --------------------------------------------------------------------------- synth (issue 7)
@main.command()
@click.option("--docs", "n_docs", type=click.IntRange(1), default=300, show_default=True,
              help="Number of documents to write.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed -> same bytes).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output directory (documents under DIR/docs/<shard>/, DIR/expected.json, DIR/manifest.jsonl).")
@click.option("--variant-rate", type=click.FloatRange(0, 1), default=0.25, show_default=True,
              help="Share of documents with varied label words, numbering and date/case styles.")
def synth(n_docs, seed, out_dir, variant_rate):
    """Write a synthetic corpus of minutes (98 municipalities, 2015-2025) with its expected counts."""
    import time

    from .synth import generate

    t0 = time.perf_counter()
    try:
        exp = generate(out_dir, docs=n_docs, seed=seed, variant_rate=variant_rate)
    except OSError as e:
        _err(f"error: {out_dir}: {e.strerror or e}")
        sys.exit(2)
    c = exp["counts"]
    _err(f"wrote {c['documents']} documents ({c['items']} items, {c['municipalities']} municipalities, "
         f"{c['committees']} committees, {c['projects']} projects, {c['grants']} grants) to {out_dir} "
         f"in {time.perf_counter() - t0:.1f} s; expected counts in {out_dir / 'expected.json'}")


# --------------------------------------------------------------------------- serve / push (issue 6)
@main.command()
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Store directory (default $KG_STORE or ./kg-store).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0 = any free).")
@click.option("--timeout", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Per-query time limit in seconds (a query still running is cancelled; 503).")
@click.option("--max-rows", type=click.IntRange(1), default=1000, show_default=True,
              help="Row limit of HTML result tables.")
@click.option("--max-result-mb", type=click.IntRange(1), default=64, show_default=True,
              help="Largest serialised query result in MiB (bigger ones: 413, add a LIMIT).")
@click.option("--workers", type=click.IntRange(1), default=None, help="Query worker processes (default: max(2, cores)).")
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def serve(store_dir, host, port, timeout, max_rows, max_result_mb, workers, quiet):
    """Serve the store: read-only SPARQL endpoint (/sparql), query editor (/), entity pages (/id/...)."""
    from .serve import serve as run_server
    from .store import StoreError, default_path

    store_dir = store_dir or default_path()
    try:
        run_server(str(store_dir), host, port, timeout=timeout, max_rows=max_rows, workers=workers,
                   max_result_bytes=max_result_mb << 20, quiet=quiet)
    except (StoreError, FileNotFoundError, RuntimeError) as e:
        _err(f"error: {e}")
        sys.exit(2)
    except OSError as e:
        _err(f"error: cannot listen on {host}:{port}: {e.strerror or e}")
        sys.exit(2)


@main.command()
@click.option("--endpoint", required=True, help="SPARQL endpoint of the external store (for Update mode).")
@click.option("--graph-store", "graph_store", default=None,
              help="Graph Store HTTP Protocol URL (PUT per graph); without it, SPARQL Update is sent to --endpoint.")
@click.option("--user", default=None, help="User name (HTTP Basic or Digest, whichever the server asks for).")
@click.option("--password", default=None, envvar="KG_REMOTE_PASSWORD", help="Password (or $KG_REMOTE_PASSWORD).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Store directory (default $KG_STORE or ./kg-store).")
@click.option("--batch", type=click.IntRange(1), default=20000, show_default=True, help="Triples per request.")
@click.option("--graph", "graphs", multiple=True, help="Push only this named graph (repeatable).")
@click.option("--jobs", type=click.IntRange(1, 64), default=4, show_default=True, help="Graphs uploaded at once.")
def push(endpoint, graph_store, user, password, store_dir, batch, graphs, jobs):
    """Upload every named graph of the store to an external SPARQL store (re-push replaces the graphs)."""
    from .remote import RemoteError, push as do_push

    st = _open_store(store_dir)
    try:
        rep = do_push(st, endpoint=endpoint, graph_store=graph_store, user=user, password=password,
                      batch=batch, graphs=list(graphs) or None, progress=_err, jobs=jobs)
    except RemoteError as e:
        _err(f"error: {e}")
        sys.exit(1)
    _err(f"pushed {rep['triples']} triples in {rep['graphs']} graphs ({rep['requests']} requests, "
         f"{rep['mode']}) in {rep['seconds']:.1f} s")


# --------------------------------------------------------------------------- export (issue 6)
@main.command("export")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["turtle", "trig", "nquads", "jsonld", "gexf", "graphml", "png"]),
              help="RDF (turtle, trig, nquads, jsonld), a graph view for Gephi (gexf, graphml) or a picture (png).")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (written to a temporary file and renamed when complete).")
@click.option("--view", type=click.Choice(["entities", "meetings", "full"]), default="entities", show_default=True,
              help="Graph view for gexf/graphml/png (ignored for RDF formats).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Store directory (default $KG_STORE or ./kg-store).")
def export_cmd(fmt, out, view, store_dir):
    """Export the store: RDF serialisations, Gephi views (GEXF 1.3, GraphML) or a PNG picture."""
    from .export import ExportError, export

    st = _open_store(store_dir)
    try:
        rep = export(st, fmt, out, view=view)
    except (ExportError, OSError) as e:
        _err(f"error: {e}")
        sys.exit(2)
    finally:
        st.close()
    what = f" ({rep['view']} view: {rep['nodes']} nodes, {rep['edges']} edges)" if "nodes" in rep else ""
    _err(f"wrote {out}{what}")


# --------------------------------------------------------------------------- build / validate / query / stats (issue 4)
_STORE_HELP = "Store directory (default $KG_STORE or ./kg-store)."


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), help=_STORE_HELP)
@click.option("--prune", is_flag=True, help="Remove graphs of documents not among PATHS.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for extraction (default: all cores).")
@click.option("--strict", is_flag=True, help="Any failure or warning fails the build (the store stays as it was).")
@click.option("--wait", is_flag=True, help="If another build is writing the store, wait for it instead of refusing.")
@click.option("--validate", "validate_", is_flag=True,
              help="SHACL-validate each new or changed document graph while building (exit 1 on violations).")
@click.option("--rehash", is_flag=True,
              help="Read and hash every file, even those whose size and mtime match the last build.")
def build(paths, store_dir, prune, jobs, strict, wait, validate_, rehash):
    """Extract, map and load minutes into the store (incremental, atomic).

    Unchanged documents (same content hash) are skipped, files with the size and mtime recorded by the
    last build without being read; a changed document replaces its named graph.
    Exit 0 on success, 1 if some inputs failed (the others are loaded) or --strict found warnings, 2 on store errors.
    """
    from .build import build as do_build
    from .store import StoreError

    try:
        s = do_build(paths, store_dir, prune=prune, jobs=jobs, strict=strict, wait=wait, validate=validate_,
                     rehash=rehash)
    except StoreError as e:
        _err(f"error: {e}")
        sys.exit(2)
    for f in s.failed:
        _err(f"error: {f}")
    for line in s.lines():
        _err(line)
    if s.read == 0:
        _err("error: no supported input files found")
        sys.exit(1)
    if s.failed or s.violations or (strict and s.warnings):
        sys.exit(1)


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), help=_STORE_HELP)
@click.option("--graph", "graphs", multiple=True, help="Validate only this document graph (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--max", "max_lines", type=int, default=50, show_default=True, help="Print at most this many violations.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default=None,
              help="fast: shapes compiled to Python rules (default for a store); pyshacl: the reference "
                   "(default for a FILE).")
def validate(file, store_dir, graphs, jobs, max_lines, engine):
    """Check the store (or an RDF FILE) against the SHACL shapes in shapes/.

    Exit 0 when it conforms, 1 on violations (focus node, path, message, source document), 2 on error.
    """
    from .store import StoreError
    from .validate import ValidationError, validate_file, validate_store

    try:
        rep = (validate_file(file, engine=engine or "pyshacl") if file else
               validate_store(store_dir, graphs=list(graphs) or None, jobs=jobs, engine=engine or "fast"))
    except (StoreError, ValidationError, OSError) as e:
        _err(f"error: {e}")
        sys.exit(2)
    shown = rep.violations[:max_lines] if max_lines >= 0 else rep.violations
    for v in shown:
        click.echo(v.line())
    if len(rep.violations) > len(shown):
        click.echo(f"... and {len(rep.violations) - len(shown)} more")
    nviol = sum(1 for v in rep.violations if v.severity == "Violation")
    _err(f"{'conforms' if rep.conforms else 'does NOT conform'}: {rep.graphs} graph(s), {rep.triples} triples, "
         f"{nviol} violation(s), {len(rep.violations) - nviol} other result(s), {rep.seconds:.2f} s")
    sys.exit(0 if rep.conforms else 1)


@main.command()
@click.argument("query", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter, bound as an RDF term (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), help=_STORE_HELP)
@click.option("--list", "list_", is_flag=True, help="List the named queries with their parameters.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Run on this external SPARQL endpoint (via SPARQLWrapper) instead of the store.")
def query(query, params, fmt, store_dir, list_, endpoint):
    """Run a named query (see --list), a .rq file, or SPARQL text against the store.

    \b
    kg query star-funding
    kg query star-funding --param funder=Socialstyrelsen --format csv
    kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from .query import QueryError, format_result, list_queries, load, parse_params, run
    from .store import Store, StoreError, default_path

    if list_:
        for q in list_queries():
            click.echo(f"{q.name}: {q.title}")
            if q.description:
                click.echo(f"    {q.description}")
            for p in q.params:
                d = f" (default {p.default})" if p.default is not None else " (required)"
                click.echo(f"    --param {p.name}=...{d}{': ' + p.help if p.help else ''}")
        return
    if not query:
        _err("error: give a query NAME, a FILE.rq or SPARQL text (or --list)")
        sys.exit(2)
    if endpoint:
        from .remote import query_command
        sys.exit(query_command(endpoint, query, params, fmt, lambda t: click.echo(t, nl=False), _err))
    try:
        nq = load(query)
        given = parse_params(params)
        st = Store.open(store_dir or default_path(), create=False)
    except (QueryError, StoreError) as e:
        _err(f"error: {e}")
        sys.exit(2)
    try:
        res = run(st, nq, given)
        click.echo(format_result(res, fmt, nq.lists), nl=False)
    except QueryError as e:
        _err(f"error: {e}")
        sys.exit(2)
    except (OSError, RuntimeError, ValueError) as e:
        _err(f"error: query failed: {str(e).splitlines()[0] if str(e) else e}")
        sys.exit(2)
    finally:
        st.close()


@main.command()
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), help=_STORE_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--all", "all_", is_flag=True, help="List every source document (default: the first 50).")
def stats(store_dir, fmt, all_):
    """Counts per class and per source document."""
    from .stats import stats as do_stats

    st = _open_store(store_dir)
    with st:
        s = do_stats(st)
    if fmt == "json":
        click.echo(json.dumps(s.as_json(), ensure_ascii=False, indent=1))
    else:
        click.echo("\n".join(s.lines(limit=None if all_ else 50)))


# --------------------------------------------------------------------------- entities (issue 5)
@main.command("resolve")
@click.option("--type", "kind", type=click.Choice(["org", "person", "project", "municipality"]), default="org",
              show_default=True, help="What the names are.")
@click.option("--municipality", "muni", default=None, help="Municipality (name or code) for --type person.")
@click.argument("names", nargs=-1, required=True)
def resolve_cmd(kind, muni, names):
    """Show the canonical key, name and evidence the resolver gives each NAME."""
    from . import resolve as r

    code = None
    if kind == "person":
        m = r.municipality(muni) if muni else None
        if muni and m is None:
            _err(f"error: unknown municipality: {muni}")
            sys.exit(2)
        code = m.code if m else None
    for n in names:
        if kind == "org":
            row = r.org_key(n)
        elif kind == "person":
            row = r.person_key(code, n)
        elif kind == "project":
            row = r.project_key(n)
        else:
            m = r.municipality(n)
            row = (f"{m.code:03d}", m.name, f"region {m.region}") if m else ("", "", "not a municipality")
        click.echo("\t".join([n, *row]))


# --------------------------------------------------------------------------- report (issue 9)
@main.command("report")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Store directory (default $KG_STORE or ./kg-store).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default=None,
              help="Output format (default: from the -o suffix, else md).")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@click.option("--weak-below", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="A fact is weak when its kg:confidence is below this.")
def report_cmd(store_dir, fmt, out, weak_below):
    """Coverage report: what was extracted per municipality, committee, year and document, and what looks missing."""
    from .io import atomic_write_text
    from .report import render, report_store

    if fmt is None:
        fmt = {".html": "html", ".htm": "html", ".json": "json"}.get(out.suffix.lower() if out else "", "md")
    st = _open_store(store_dir)
    with st:
        rep = report_store(st, weak_below=weak_below)
    text = render(rep, fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        atomic_write_text(out, text)
    except OSError as e:
        _err(f"error: cannot write {out}: {e.strerror or e}")
        sys.exit(2)
    _err(f"wrote {out}: {rep.totals['documents']} documents, {len(rep.incomplete)} with incomplete extraction")


if __name__ == "__main__":  # pragma: no cover
    main()
