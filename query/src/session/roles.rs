//! Roles: users with SCRAM-SHA-256 verifiers (never the password), superuser / read-write /
//! read-only privileges checked on every statement, GRANT and REVOKE of SELECT.
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sqlparser::ast;

use super::{Session, StatementResult};
use crate::catalog::{OID_COUNTER, ROLE_PREFIX, RoleInfo};
use crate::error::{QueryError, Result, sqlstate};
use crate::parse::RoleSpec;
use crate::plan::Plan;

/// Name of the built-in superuser.
pub const SUPERUSER: &str = "plantdb";
const ITERATIONS: u32 = 4096;

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
    inner.update(msg);
    let ih = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.iter().map(|b| b ^ 0x5c).collect::<Vec<u8>>());
    outer.update(ih);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut msg = salt.to_vec();
    msg.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &msg);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password, &u);
        for (o, x) in out.iter_mut().zip(u.iter()) {
            *o ^= x;
        }
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(b: &[u8]) -> String {
    let mut s = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                s.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Decodes standard base64 (None when malformed).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.trim_end_matches('=').bytes() {
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn random_salt() -> Vec<u8> {
    use std::io::Read;
    let mut b = vec![0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom")
        && f.read_exact(&mut b).is_ok()
    {
        return b;
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Sha256::digest(t.to_le_bytes())[..16].to_vec()
}

/// A PostgreSQL-format SCRAM-SHA-256 verifier:
/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
pub fn scram_verifier(password: &str) -> String {
    let salt = random_salt();
    let salted = pbkdf2(password.as_bytes(), &salt, ITERATIONS);
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        base64_encode(&salt),
        base64_encode(&stored_key),
        base64_encode(&server_key)
    )
}

/// (iterations, salt, stored key, server key) of a verifier.
pub type ScramParts = (u32, Vec<u8>, Vec<u8>, Vec<u8>);

/// Parts of a stored verifier: (iterations, salt, stored key, server key).
pub fn verify_scram_proof_material(verifier: &str) -> Option<ScramParts> {
    let rest = verifier.strip_prefix("SCRAM-SHA-256$")?;
    let (iter_salt, keys) = rest.split_once('$')?;
    let (iters, salt) = iter_salt.split_once(':')?;
    let (stored, server) = keys.split_once(':')?;
    Some((
        iters.parse().ok()?,
        base64_decode(salt)?,
        base64_decode(stored)?,
        base64_decode(server)?,
    ))
}

fn save(s: &Session, role: &RoleInfo) -> Result<()> {
    let json = serde_json::to_string(role).map_err(|e| crate::error::internal(e.to_string()))?;
    s.engine
        .storage
        .set_meta(&format!("{ROLE_PREFIX}{}", role.name), Some(json))?;
    Ok(())
}

/// Allocates an OID for a view or role.
pub(super) fn next_oid(s: &Session) -> Result<u32> {
    let current = s
        .engine
        .storage
        .meta_with_prefix(OID_COUNTER)?
        .into_iter()
        .find(|(k, _)| k == OID_COUNTER)
        .and_then(|(_, v)| v.parse::<u32>().ok())
        .unwrap_or(900_000);
    s.engine
        .storage
        .set_meta(OID_COUNTER, Some((current + 1).to_string()))?;
    Ok(current)
}

/// Creates the built-in superuser on a new database.
pub(super) fn ensure_superuser(e: &Arc<super::QueryEngine>) -> Result<()> {
    if e.catalog().roles.contains_key(SUPERUSER) {
        return Ok(());
    }
    let role = RoleInfo {
        name: SUPERUSER.into(),
        oid: 10,
        superuser: true,
        login: true,
        scram: None,
        can_write: true,
        select: vec!["*".into()],
    };
    let json = serde_json::to_string(&role).map_err(|x| crate::error::internal(x.to_string()))?;
    e.storage
        .set_meta(&format!("{ROLE_PREFIX}{SUPERUSER}"), Some(json))?;
    e.refresh_catalog()
}

fn role(s: &Session) -> Option<Arc<RoleInfo>> {
    s.engine.catalog().roles.get(&s.user).cloned()
}

fn denied(what: &str) -> QueryError {
    QueryError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!("permission denied for {what}"),
    )
}

/// Fails unless the session may write (INSERT, COPY FROM, DDL).
pub(super) fn check_write(s: &Session, what: &str) -> Result<()> {
    match role(s) {
        Some(r) if !r.superuser && !r.can_write => Err(denied(what)),
        _ => Ok(()),
    }
}

/// Fails unless the session is a superuser.
pub(super) fn check_superuser(s: &Session, what: &str) -> Result<()> {
    match role(s) {
        Some(r) if !r.superuser => Err(QueryError::new(
            sqlstate::INSUFFICIENT_PRIVILEGE,
            format!("must be superuser to {what}"),
        )),
        _ => Ok(()),
    }
}

/// Fails when the plan reads a table the session may not SELECT from.
pub(super) fn check_read(s: &Session, plan: &Plan) -> Result<()> {
    let Some(r) = role(s) else { return Ok(()) };
    if r.superuser || r.can_write || r.select.iter().any(|t| t == "*") {
        return Ok(());
    }
    let mut tables = Vec::new();
    fn walk(p: &Plan, out: &mut Vec<String>) {
        match p {
            Plan::Scan(sc) => out.push(sc.table.name.clone()),
            Plan::LastPoint { table, .. } => out.push(table.name.clone()),
            _ => {}
        }
        for i in p.inputs() {
            walk(i, out);
        }
    }
    walk(plan, &mut tables);
    for t in tables {
        if !r.select.contains(&t) {
            return Err(denied(&format!("table {t}")));
        }
    }
    Ok(())
}

pub(super) fn create_role(s: &mut Session, spec: &RoleSpec) -> Result<StatementResult> {
    check_superuser(s, "create roles")?;
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    if s.engine.catalog().roles.contains_key(&spec.name) {
        return Err(QueryError::new(
            sqlstate::DUPLICATE_OBJECT,
            format!("role \"{}\" already exists", spec.name),
        ));
    }
    let role = RoleInfo {
        name: spec.name.clone(),
        oid: next_oid(s)?,
        superuser: spec.superuser.unwrap_or(false),
        login: spec.login.unwrap_or(false),
        scram: spec.password.clone().flatten().map(|p| scram_verifier(&p)),
        can_write: spec.superuser.unwrap_or(false),
        select: Vec::new(),
    };
    save(s, &role)?;
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "CREATE ROLE".into(),
    })
}

pub(super) fn alter_role(s: &mut Session, spec: &RoleSpec) -> Result<StatementResult> {
    if spec.name != s.user || spec.superuser.is_some() || spec.login.is_some() {
        check_superuser(s, "alter roles")?;
    }
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    let Some(r) = s.engine.catalog().roles.get(&spec.name).cloned() else {
        return Err(QueryError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("role \"{}\" does not exist", spec.name),
        ));
    };
    let mut r = (*r).clone();
    if let Some(p) = &spec.password {
        r.scram = p.as_ref().map(|p| scram_verifier(p));
    }
    if let Some(su) = spec.superuser {
        r.superuser = su;
    }
    if let Some(l) = spec.login {
        r.login = l;
    }
    save(s, &r)?;
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "ALTER ROLE".into(),
    })
}

pub(super) fn drop_roles(s: &mut Session, names: &[String], if_exists: bool) -> Result<StatementResult> {
    check_superuser(s, "drop roles")?;
    let engine = s.engine.clone();
    let _g = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    for n in names {
        if n == SUPERUSER || *n == s.user {
            return Err(QueryError::new(
                sqlstate::OBJECT_IN_USE,
                format!("role \"{n}\" cannot be dropped"),
            ));
        }
        if !s.engine.catalog().roles.contains_key(n) {
            if if_exists {
                s.notice(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("role \"{n}\" does not exist, skipping"),
                );
                continue;
            }
            return Err(QueryError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("role \"{n}\" does not exist"),
            ));
        }
        s.engine.storage.set_meta(&format!("{ROLE_PREFIX}{n}"), None)?;
    }
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command {
        tag: "DROP ROLE".into(),
    })
}

fn grantees(g: &[ast::Grantee]) -> Vec<String> {
    g.iter()
        .filter_map(|x| {
            x.name
                .as_ref()
                .map(|n| n.to_string().trim_matches('"').to_ascii_lowercase())
        })
        .collect()
}

fn privileges(p: &ast::Privileges) -> (bool, bool) {
    match p {
        ast::Privileges::All { .. } => (true, true),
        ast::Privileges::Actions(a) => {
            let read = a.iter().any(|x| matches!(x, ast::Action::Select { .. }));
            let write = a.iter().any(|x| {
                matches!(
                    x,
                    ast::Action::Insert { .. }
                        | ast::Action::Delete
                        | ast::Action::Truncate
                        | ast::Action::Update { .. }
                )
            });
            (read, write)
        }
    }
}

fn objects(o: Option<&ast::GrantObjects>) -> Result<Vec<String>> {
    match o {
        Some(ast::GrantObjects::Tables(t)) => Ok(t
            .iter()
            .map(|n| crate::bind::object_name(n).pop().unwrap_or_default())
            .collect()),
        Some(ast::GrantObjects::AllTablesInSchema { .. }) => Ok(vec!["*".into()]),
        Some(ast::GrantObjects::Schemas(_)) => Ok(Vec::new()),
        _ => crate::error::unsupported("GRANT on these objects"),
    }
}

pub(super) fn grant(s: &mut Session, g: &ast::Grant, _grant: bool) -> Result<StatementResult> {
    check_superuser(s, "grant privileges")?;
    let (read, write) = privileges(&g.privileges);
    let objs = objects(g.objects.as_ref())?;
    let engine = s.engine.clone();
    let _lock = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    for name in grantees(&g.grantees) {
        let Some(r) = s.engine.catalog().roles.get(&name).cloned() else {
            return Err(QueryError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("role \"{name}\" does not exist"),
            ));
        };
        let mut r = (*r).clone();
        if read || write {
            for o in &objs {
                if !r.select.contains(o) {
                    r.select.push(o.clone());
                }
            }
        }
        if write {
            r.can_write = true;
        }
        save(s, &r)?;
    }
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command { tag: "GRANT".into() })
}

pub(super) fn revoke(s: &mut Session, rv: &ast::Revoke) -> Result<StatementResult> {
    check_superuser(s, "revoke privileges")?;
    let (read, write) = privileges(&rv.privileges);
    let objs = objects(rv.objects.as_ref())?;
    let engine = s.engine.clone();
    let _lock = engine
        .ddl
        .lock()
        .map_err(|_| crate::error::internal("ddl lock"))?;
    for name in grantees(&rv.grantees) {
        let Some(r) = s.engine.catalog().roles.get(&name).cloned() else {
            return Err(QueryError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("role \"{name}\" does not exist"),
            ));
        };
        let mut r = (*r).clone();
        if read {
            r.select.retain(|t| !objs.contains(t));
        }
        if write {
            r.can_write = false;
        }
        save(s, &r)?;
    }
    s.engine.refresh_catalog()?;
    Ok(StatementResult::Command { tag: "REVOKE".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn pbkdf2_matches_rfc_7914_vector() {
        let k = pbkdf2(b"passwd", b"salt", 1);
        let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn base64_round_trip() {
        for v in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(base64_decode(&base64_encode(v)).unwrap(), v);
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    }
}
