//! pg_catalog relations about types and functions: pg_type, pg_proc, pg_am, pg_opclass,
//! pg_collation, pg_language.
use super::Ctx;
use super::model::{self, INTERNAL_LANGUAGE, Rel, SUPERUSER_OID};
use super::pg15;
use super::rowset::{RowSet, b, ch, int, oid, oids, s};
use crate::catalog::{PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE};
use crate::error::Result;
use crate::types::Value;

/// `record_in`, `record_out`, `record_recv`, `record_send`: I/O of row types.
const RECORD_IO: [u32; 4] = [2290, 2291, 2402, 2403];

pub(super) fn pg_type(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for t in pg15::TYPES {
        out.row()
            .set("oid", oid(t.oid))
            .set("typname", s(t.name))
            .set("typnamespace", oid(PG_CATALOG_NAMESPACE))
            .set("typowner", oid(SUPERUSER_OID))
            .set("typlen", int(i64::from(t.len)))
            .set("typbyval", b(t.byval))
            .set("typtype", ch(t.typtype))
            .set("typcategory", ch(t.category))
            .set("typispreferred", b(t.preferred))
            .set("typisdefined", b(true))
            .set("typdelim", s(t.delim))
            .set("typrelid", oid(0))
            .set("typsubscript", oid(t.subscript))
            .set("typelem", oid(t.elem))
            .set("typarray", oid(t.array))
            .set("typinput", oid(t.input))
            .set("typoutput", oid(t.output))
            .set("typreceive", oid(t.receive))
            .set("typsend", oid(t.send))
            .set("typmodin", oid(t.modin))
            .set("typmodout", oid(t.modout))
            .set("typanalyze", oid(t.analyze))
            .set("typalign", ch(t.align))
            .set("typstorage", ch(t.storage))
            .set("typnotnull", b(false))
            .set("typbasetype", oid(0))
            .set("typtypmod", int(-1))
            .set("typndims", int(0))
            .set("typcollation", oid(t.collation));
    }
    for rel in model::relations(cx.catalog)
        .into_iter()
        .filter(|r| matches!(r, Rel::Table(_) | Rel::View(_)))
    {
        out.row()
            .set("oid", oid(rel.rowtype()))
            .set("typname", s(&rel.name()))
            .set("typnamespace", oid(PUBLIC_NAMESPACE))
            .set("typowner", oid(SUPERUSER_OID))
            .set("typlen", int(-1))
            .set("typbyval", b(false))
            .set("typtype", ch('c'))
            .set("typcategory", ch('C'))
            .set("typispreferred", b(false))
            .set("typisdefined", b(true))
            .set("typdelim", s(","))
            .set("typrelid", oid(rel.oid()))
            .set("typsubscript", oid(0))
            .set("typelem", oid(0))
            .set("typarray", oid(0))
            .set("typinput", oid(RECORD_IO[0]))
            .set("typoutput", oid(RECORD_IO[1]))
            .set("typreceive", oid(RECORD_IO[2]))
            .set("typsend", oid(RECORD_IO[3]))
            .set("typmodin", oid(0))
            .set("typmodout", oid(0))
            .set("typanalyze", oid(0))
            .set("typalign", ch('d'))
            .set("typstorage", ch('x'))
            .set("typnotnull", b(false))
            .set("typbasetype", oid(0))
            .set("typtypmod", int(-1))
            .set("typndims", int(0))
            .set("typcollation", oid(0));
    }
    Ok(())
}

pub(super) fn pg_proc(out: &mut RowSet, cx: &Ctx<'_>) -> Result<()> {
    for p in cx.catalog.functions.iter() {
        let mut args = p.args.clone();
        if p.variadic != 0 {
            args.push(p.variadic);
        }
        let mut r = out.row();
        r.set("oid", oid(p.oid))
            .set("proname", s(&p.name))
            .set("pronamespace", oid(p.namespace()))
            .set("prokind", ch(p.kind))
            .set("proretset", b(p.retset))
            .set("provariadic", oid(p.variadic))
            .set("pronargs", int(args.len() as i64))
            .set("pronargdefaults", int(p.defaults as i64))
            .set("prorettype", oid(p.ret))
            .set("proargtypes", oids(0, args))
            .set("prorows", Value::Float(if p.retset { 1000.0 } else { 0.0 }))
            .set("proisstrict", b(false))
            .set("provolatile", ch('i'))
            .set("prosrc", s(&p.name));
        proc_common(&mut r);
    }
    for p in pg15::PROCS {
        let args: Vec<u32> = p.args.split_whitespace().filter_map(|a| a.parse().ok()).collect();
        let mut r = out.row();
        r.set("oid", oid(p.oid))
            .set("proname", s(p.name))
            .set("pronamespace", oid(PG_CATALOG_NAMESPACE))
            .set("prokind", ch('f'))
            .set("proretset", b(p.retset))
            .set("provariadic", oid(0))
            .set("pronargs", int(args.len() as i64))
            .set("pronargdefaults", int(0))
            .set("prorettype", oid(p.ret))
            .set("proargtypes", oids(0, args))
            .set("prorows", Value::Float(0.0))
            .set("proisstrict", b(p.strict))
            .set("provolatile", ch(p.volatile))
            .set("prosrc", s(p.name));
        proc_common(&mut r);
    }
    Ok(())
}

fn proc_common(r: &mut super::rowset::RowRef<'_>) {
    r.set("proowner", oid(SUPERUSER_OID))
        .set("prolang", oid(INTERNAL_LANGUAGE))
        .set("procost", Value::Float(1.0))
        .set("prosupport", oid(0))
        .set("prosecdef", b(false))
        .set("proleakproof", b(false))
        .set("proparallel", ch('s'));
}

pub(super) fn pg_am(out: &mut RowSet) -> Result<()> {
    for a in pg15::AMS {
        out.row()
            .set("oid", oid(a.oid))
            .set("amname", s(a.name))
            .set("amhandler", oid(a.handler))
            .set("amtype", ch(a.kind));
    }
    Ok(())
}

pub(super) fn pg_opclass(out: &mut RowSet) -> Result<()> {
    for o in pg15::OPCLASSES {
        out.row()
            .set("oid", oid(o.oid))
            .set("opcmethod", oid(o.method))
            .set("opcname", s(o.name))
            .set("opcnamespace", oid(PG_CATALOG_NAMESPACE))
            .set("opcowner", oid(SUPERUSER_OID))
            .set("opcfamily", oid(o.family))
            .set("opcintype", oid(o.intype))
            .set("opcdefault", b(true))
            .set("opckeytype", oid(o.keytype));
    }
    Ok(())
}

pub(super) fn pg_collation(out: &mut RowSet) -> Result<()> {
    for c in pg15::COLLATIONS {
        let text = |v: &str| if v.is_empty() { Value::Null } else { s(v) };
        out.row()
            .set("oid", oid(c.oid))
            .set("collname", s(c.name))
            .set("collnamespace", oid(PG_CATALOG_NAMESPACE))
            .set("collowner", oid(SUPERUSER_OID))
            .set("collprovider", ch(c.provider))
            .set("collisdeterministic", b(true))
            .set("collencoding", int(i64::from(c.encoding)))
            .set("collcollate", text(c.collate))
            .set("collctype", text(c.ctype));
    }
    Ok(())
}

pub(super) fn pg_language(out: &mut RowSet) -> Result<()> {
    for (o, name) in [(12, "internal"), (13, "c"), (14, "sql")] {
        out.row()
            .set("oid", oid(o))
            .set("lanname", s(name))
            .set("lanowner", oid(SUPERUSER_OID))
            .set("lanispl", b(false))
            .set("lanpltrusted", b(o == 14))
            .set("lanplcallfoid", oid(0))
            .set("laninline", oid(0))
            .set("lanvalidator", oid(0));
    }
    Ok(())
}
