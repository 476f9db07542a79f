//! COPY FROM STDIN of large inputs (1 M rows, fed in 1 MiB pieces, several parser batches):
//! every row arrives with its values, quoted CSV fields holding delimiters, doubled quotes and
//! newlines survive the cuts between pieces, the text format too, and an error deep in the input
//! names its line and leaves none of the load's rows behind. Expected values are computed here
//! from the generated rows.
mod common;

use common::TempDb;

const ROWS: usize = 1_000_000;

/// CSV (with a header) or tab-separated text rows `id, machine, n, x`; row `quote_every`
/// multiples get a quoted machine name holding a comma, a doubled quote and a newline; row
/// `bad` gets a non-integer `n`.
fn input(csv: bool, quote_every: Option<usize>, bad: Option<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(ROWS * 32);
    if csv {
        out.extend_from_slice(b"id,machine_id,n,x\n");
    }
    let sep = if csv { ',' } else { '\t' };
    for i in 0..ROWS {
        let machine = match quote_every {
            Some(k) if i % k == 0 => "\"M,\"\"q\"\"\nz\"".to_string(),
            _ => format!("M{}", i % 7),
        };
        let n = if bad == Some(i) {
            "oops".to_string()
        } else {
            (i % 1000).to_string()
        };
        let line = format!("{i}{sep}{machine}{sep}{n}{sep}{}.5\n", i % 100);
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn table(db: &mut TempDb, name: &str) {
    db.exec(&format!(
        "CREATE TABLE {name} (id bigint, machine_id text, n bigint, x float8)"
    ));
}

/// count, count(DISTINCT id), min(id), max(id), sum(n), sum(x) of the generated rows.
fn expected() -> (i64, i64, i64, i64, i64, f64) {
    let rows = ROWS as i64;
    let sum_n: i64 = (0..ROWS).map(|i| (i % 1000) as i64).sum();
    let sum_x: f64 = (0..ROWS).map(|i| (i % 100) as f64 + 0.5).sum();
    (rows, rows, 0, rows - 1, sum_n, sum_x)
}

fn check(db: &mut TempDb, name: &str) {
    let r = db.rows(&format!(
        "SELECT count(*), count(DISTINCT id), min(id), max(id), sum(n), sum(x) FROM {name}"
    ));
    let (count, distinct, min, max, sum_n, sum_x) = expected();
    let got = &r[0];
    assert_eq!(got[0].as_int(), Some(count), "{name}: count");
    assert_eq!(got[1].as_int(), Some(distinct), "{name}: distinct ids");
    assert_eq!(got[2].as_int(), Some(min), "{name}: min id");
    assert_eq!(got[3].as_int(), Some(max), "{name}: max id");
    assert_eq!(got[4].as_f64(), Some(sum_n as f64), "{name}: sum(n)");
    assert_eq!(got[5].as_f64(), Some(sum_x), "{name}: sum(x)");
}

#[test]
fn large_csv_and_text_loads_keep_every_row() {
    let mut db = TempDb::new("copy-large");
    table(&mut db, "c");
    let n = db
        .conn
        .copy_from(
            "COPY c FROM STDIN (FORMAT csv, HEADER)",
            &input(true, None, None)[..],
        )
        .expect("csv copy");
    assert_eq!(n, ROWS as u64);
    check(&mut db, "c");
    // Machines in file order: row i holds machine M(i % 7).
    let m = db.rows("SELECT machine_id, count(*) FROM c WHERE id % 7 = 3 GROUP BY 1");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0][0].as_str(), Some("M3"));

    table(&mut db, "t");
    let n = db
        .conn
        .copy_from("COPY t FROM STDIN", &input(false, None, None)[..])
        .expect("text copy");
    assert_eq!(n, ROWS as u64);
    check(&mut db, "t");
}

#[test]
fn quoted_fields_with_newlines_are_not_cut() {
    let mut db = TempDb::new("copy-quoted");
    table(&mut db, "q");
    let n = db
        .conn
        .copy_from(
            "COPY q FROM STDIN (FORMAT csv, HEADER)",
            &input(true, Some(1000), None)[..],
        )
        .expect("quoted csv copy");
    assert_eq!(n, ROWS as u64);
    check(&mut db, "q");
    let odd = db.rows("SELECT machine_id, count(*) FROM q WHERE id % 1000 = 0 GROUP BY 1");
    assert_eq!(odd.len(), 1);
    assert_eq!(odd[0][0].as_str(), Some("M,\"q\"\nz"));
    assert_eq!(odd[0][1].as_int(), Some((ROWS / 1000) as i64));
}

#[test]
fn an_error_deep_in_a_large_load_names_its_line_and_keeps_nothing() {
    let mut db = TempDb::new("copy-bad");
    table(&mut db, "b");
    // Row 700 000 is line 700 002 of the file (after the header).
    let e = db
        .conn
        .copy_from(
            "COPY b FROM STDIN (FORMAT csv, HEADER)",
            &input(true, None, Some(700_000))[..],
        )
        .expect_err("bad row");
    assert_eq!(e.code, "22P02", "{e:?}");
    let context = format!("{:?} {:?}", e.detail, e.hint);
    assert!(context.contains("line 700002"), "{context}");
    assert_eq!(db.rows("SELECT count(*) FROM b")[0][0].as_int(), Some(0));
    // Same in the text format, where the row is line 700 001.
    let e = db
        .conn
        .copy_from("COPY b FROM STDIN", &input(false, None, Some(700_000))[..])
        .expect_err("bad row");
    let context = format!("{:?} {:?}", e.detail, e.hint);
    assert!(context.contains("line 700001"), "{context}");
    assert_eq!(db.rows("SELECT count(*) FROM b")[0][0].as_int(), Some(0));
}
