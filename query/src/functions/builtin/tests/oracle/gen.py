#!/usr/bin/env python3
"""Generates Rust test tables from *.spec files by asking a PostgreSQL 15 server.

Usage: PGHOST=/tmp/pgo PGPORT=5499 python3 gen.py   (needs psql and the tj() helper below)

Scalar spec lines:   name<TAB>type:literal<TAB>...[<TAB>#code][<TAB>#pg:template]
  type `unknown` is an untyped literal, literal `\\N` is NULL; an operator name (no letters) is
  written infix (two args) or prefix (one arg); `#pg:` gives the PostgreSQL expression with $1, $2.
  `#code` compares only the SQLSTATE of an error, not the message.
Aggregate spec lines: @agg<TAB>call<TAB>types<TAB>rows[<TAB>#pg:expr]
  call is e.g. `sum` or `percentile_cont(0.5)`; rows are `v,v;v,v` (`\\N` = NULL).
The server runs with extra_float_digits=1; `@tz<TAB>zone` sets TimeZone for the lines after it
(UTC before the first).

tj(q) must exist:
  create function tj(q text) returns text language plpgsql as $f$
  declare r text; n bool; ty oid;
  begin
    execute 'select format(''%s'', x), x is null, pg_typeof(x)::oid from (select ('||q||') as x) s' into r, n, ty;
    if n then r := null; end if;
    return json_build_array('ok', r, ty)::text;
  exception when others then return json_build_array('err', SQLSTATE, SQLERRM)::text;
  end $f$;
"""
import glob
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def sql_lit(ty, lit):
    if lit == "\\N":
        return "NULL" if ty == "unknown" else f"NULL::{ty}"
    q = "'" + lit.replace("'", "''") + "'"
    if "\\" in lit:
        q = "E" + q.replace("\\", "\\\\")
    return q if ty == "unknown" else f"{q}::{ty}"


def is_op(name):
    return not any(c.isalnum() or c == "_" for c in name)


def rust_str(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def parse_line(line):
    fields = line.rstrip("\n").split("\t")
    is_opt = lambda f: f == "#code" or f.startswith("#pg:")
    opts = [f for f in fields if is_opt(f)]
    fields = [f for f in fields if not is_opt(f)]
    code_only = "#code" in opts
    tmpl = next((o[4:] for o in opts if o.startswith("#pg:")), None)
    return fields, code_only, tmpl


def scalar_expr(name, args, tmpl):
    lits = [sql_lit(ty, lit) for ty, lit in args]
    if tmpl is not None:
        e = tmpl
        for i in range(len(lits), 0, -1):
            e = e.replace(f"${i}", lits[i - 1])
        return e
    if is_op(name):
        if len(lits) == 1:
            return f"{name} {lits[0]}"
        return f"{lits[0]} {name} {lits[1]}"
    return f"{name}({', '.join(lits)})"


def agg_expr(call, types, rows, tmpl):
    ncol = len(types)
    cols = [f"c{i + 1}" for i in range(ncol)]
    vals = []
    for r in rows:
        parts = r.split(",") if ncol > 1 else [r]
        vals.append("(" + ", ".join(sql_lit(t, p) for t, p in zip(types, parts)) + ")")
    if tmpl is not None:
        e = tmpl
    elif "(" in call:  # ordered-set aggregate: direct args given
        e = f"{call} within group (order by {cols[0]})"
    else:
        e = f"{call}({', '.join(cols)})"
    if not vals:
        src = "(select " + ", ".join(f"NULL::{t} as {c}" for t, c in zip(types, cols)) + " where false) s"
    else:
        src = f"(values {', '.join(vals)}) s({', '.join(cols)})"
    return f"(select {e} from {src})"


def main():
    for spec in sorted(glob.glob(os.path.join(HERE, "*.spec"))):
        base = os.path.splitext(os.path.basename(spec))[0]
        cases = []
        tz = "UTC"
        for line in open(spec, encoding="utf-8"):
            if not line.strip() or line.startswith("--"):
                continue
            fields, code_only, tmpl = parse_line(line)
            if fields[0] == "@tz":
                tz = fields[1]
                continue
            if fields[0] == "@agg":
                call, types, rows = fields[1], fields[2].split(","), fields[3]
                rows = [] if rows == "" else rows.split(";")
                cases.append(("agg", call, types, rows, code_only, agg_expr(call, types, rows, tmpl), tz))
            else:
                name = fields[0]
                args = []
                for a in fields[1:]:
                    ty, _, lit = a.partition(":")
                    args.append((ty, lit))
                cases.append(("fn", name, args, None, code_only, scalar_expr(name, args, tmpl), tz))
        script = "".join(
            "set timezone = '%s';\nselect tj(%s);\n" % (c[6], "$QQ$" + c[5] + "$QQ$") for c in cases
        )
        out = subprocess.run(
            ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"],
            input=script,
            capture_output=True,
            text=True,
            env=dict(os.environ, PGTZ="UTC", PGOPTIONS="-c extra_float_digits=1"),
            check=True,
        ).stdout.splitlines()
        assert len(out) == len(cases), (spec, len(out), len(cases))
        lines = [
            "// @generated by tests/oracle/gen.py from " + os.path.basename(spec) + "; do not edit.",
            "// Expected values are PostgreSQL 15 answers.",
            "use super::harness::{AggCase, Case, Want};",
            "",
        ]
        fn_lines, agg_lines = [], []
        for c, res in zip(cases, out):
            r = json.loads(res)
            if r[0] == "ok":
                want = "Want::Ok(%s, %d)" % ("None" if r[1] is None else "Some(%s)" % rust_str(r[1]), int(r[2]))
            else:
                want = "Want::Err(%s, %s)" % (rust_str(r[1]), rust_str(r[2]))
            if c[0] == "fn":
                args = ", ".join(
                    "(%s, %s)" % (rust_str(ty), "None" if lit == "\\N" else "Some(%s)" % rust_str(lit))
                    for ty, lit in c[2]
                )
                fn_lines.append(
                    "    Case { f: %s, args: &[%s], want: %s, code_only: %s, tz: %s },"
                    % (rust_str(c[1]), args, want, "true" if c[4] else "false", rust_str(c[6]))
                )
            else:
                rows = ", ".join(
                    "&[%s]"
                    % ", ".join(
                        "None" if p == "\\N" else "Some(%s)" % rust_str(p)
                        for p in (r_.split(",") if len(c[2]) > 1 else [r_])
                    )
                    for r_ in c[3]
                )
                agg_lines.append(
                    "    AggCase { call: %s, types: &[%s], rows: &[%s], want: %s, code_only: %s, tz: %s },"
                    % (
                        rust_str(c[1]),
                        ", ".join(rust_str(t) for t in c[2]),
                        rows,
                        want,
                        "true" if c[4] else "false",
                        rust_str(c[6]),
                    )
                )
        lines.append("pub(super) const CASES: &[Case] = &[")
        lines += fn_lines
        lines.append("];")
        lines.append("")
        lines.append("pub(super) const AGG_CASES: &[AggCase] = &[")
        lines += agg_lines
        lines.append("];")
        with open(os.path.join(HERE, "..", f"gen_{base}.rs"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print(base, len(cases))


if __name__ == "__main__":
    main()
