//! COPY FROM through the reader, over inputs long enough for the block path (several blocks
//! and batches, fed in odd-sized pieces): values are checked against what each generated row
//! spells, computed here by hand; unusual fields inside plain blocks take the general path;
//! errors name the first bad row in row order, as PostgreSQL does.
use super::{CopyReader, ReaderColumn};
use crate::context::EvalContext;
use crate::error::{QueryError, sqlstate};
use crate::session::{CopyFormat, CopyOptions};
use crate::types::{DataType, Value};
use crate::vector::Vector;

const ROWS: usize = 5000;
/// 2026-01-05 00:00:00 in µs since the epoch.
const BASE_US: i64 = 1_767_571_200_000_000;

fn columns() -> Vec<ReaderColumn> {
    [
        ("ts", DataType::Timestamp),
        ("tag", DataType::Text),
        ("n", DataType::Int4),
        ("x", DataType::Float8),
        ("ok", DataType::Bool),
    ]
    .into_iter()
    .map(|(name, ty)| ReaderColumn {
        name: name.into(),
        ty,
        force_null: false,
        force_not_null: false,
    })
    .collect()
}

fn csv() -> CopyOptions {
    CopyOptions {
        format: CopyFormat::Csv,
        delimiter: b',',
        null: String::new(),
        header: true,
        ..CopyOptions::default()
    }
}

/// Row `i`: a second-resolution timestamp, one of three tags, i mod 1000, i/4 with two
/// decimals, and a boolean.
fn row(i: usize) -> String {
    let (h, m, s) = (i / 3600, i / 60 % 60, i % 60);
    format!(
        "2026-01-05 {h:02}:{m:02}:{s:02},T{},{},{}.{:02},{}\n",
        i % 3,
        i % 1000,
        i / 4,
        i % 4 * 25,
        if i.is_multiple_of(2) { "t" } else { "false" }
    )
}

fn input(edit: impl Fn(usize, String) -> String) -> Vec<u8> {
    let mut out = b"ts,tag,n,x,ok\n".to_vec();
    for i in 0..ROWS {
        out.extend_from_slice(edit(i, row(i)).as_bytes());
    }
    out
}

/// Feeds `data` in pieces of `piece` bytes; returns every column's values, row by row.
fn load(data: &[u8], options: CopyOptions, piece: usize) -> Result<Vec<Vec<Value>>, QueryError> {
    let mut r = CopyReader::new("t", columns(), options, EvalContext::default());
    let mut batches: Vec<Vec<Vector>> = Vec::new();
    for p in data.chunks(piece) {
        batches.extend(r.feed(p)?);
    }
    batches.extend(r.finish()?);
    let mut rows = Vec::new();
    for b in &batches {
        for i in 0..b[0].len() {
            rows.push(b.iter().map(|c| c.value(i)).collect());
        }
    }
    Ok(rows)
}

fn expected(i: usize) -> Vec<Value> {
    vec![
        Value::Int(BASE_US + i as i64 * 1_000_000),
        Value::Str(format!("T{}", i % 3).into()),
        Value::Int((i % 1000) as i64),
        Value::Float((i / 4) as f64 + (i % 4) as f64 * 0.25),
        Value::Bool(i.is_multiple_of(2)),
    ]
}

#[test]
fn plain_rows_in_any_pieces_keep_their_values() {
    let data = input(|_, r| r);
    for piece in [data.len(), 1 << 16, 777, 61] {
        let rows = load(&data, csv(), piece).unwrap();
        assert_eq!(rows.len(), ROWS, "piece {piece}");
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r, &expected(i), "row {i}, piece {piece}");
        }
    }
    // The text format, tab-separated, takes the same path.
    let text: Vec<u8> = String::from_utf8(input(|_, r| r))
        .unwrap()
        .replace(',', "\t")
        .into();
    let options = CopyOptions {
        header: false,
        ..CopyOptions::default()
    };
    let rows = load(&text[14..], options, 4096).unwrap();
    assert_eq!(rows.len(), ROWS);
    assert_eq!(rows[4321], expected(4321));
}

#[test]
fn unusual_fields_inside_plain_blocks() {
    let data = input(|i, r| match i {
        // NULLs in every column.
        100 => ",,,,\n".into(),
        // CRLF line ends.
        101 => r.replace('\n', "\r\n"),
        // Values only the general input functions take.
        2500 => "2026-01-05T00:41:40.5, Prüfstand ,  12  ,1e3,yes\n".into(),
        2501 => "2026-01-05 00:41:41,T0,-7,NaN,0\n".into(),
        _ => r,
    });
    let rows = load(&data, csv(), 1000).unwrap();
    assert_eq!(rows.len(), ROWS);
    assert_eq!(rows[100], vec![Value::Null; 5]);
    assert_eq!(rows[101], expected(101));
    assert_eq!(
        rows[2500],
        vec![
            Value::Int(BASE_US + 2500 * 1_000_000 + 500_000),
            Value::Str(" Prüfstand ".into()),
            Value::Int(12),
            Value::Float(1000.0),
            Value::Bool(true),
        ]
    );
    assert_eq!(rows[2501][2], Value::Int(-7));
    assert!(matches!(rows[2501][3], Value::Float(x) if x.is_nan()));
    assert_eq!(rows[2501][4], Value::Bool(false));
    for i in (0..ROWS).filter(|i| ![100, 2500, 2501].contains(i)) {
        assert_eq!(rows[i], expected(i), "row {i}");
    }
}

#[test]
fn null_markers_and_force_not_null() {
    // NULL '0': a zero is NULL even where it would parse as a number.
    let data = b"ts,tag,n,x,ok\n2026-01-05 00:00:00,0,0,0,0\n2026-01-05 00:00:01,,5,0.5,t\n";
    let options = CopyOptions {
        null: "0".into(),
        ..csv()
    };
    let rows = load(data, options, 7).unwrap();
    assert_eq!(
        &rows[0][1..],
        &[Value::Null, Value::Null, Value::Null, Value::Null]
    );
    assert_eq!(rows[1][1], Value::Str("".into()));
    // FORCE_NOT_NULL keeps an empty text field as an empty string.
    let mut cols = columns();
    cols[1].force_not_null = true;
    let mut r = CopyReader::new("t", cols, csv(), EvalContext::default());
    let mut b = r.feed(b"ts,tag,n,x,ok\n2026-01-05 00:00:00,,,,\n").unwrap();
    b.extend(r.finish().unwrap());
    assert_eq!(b[0][1].value(0), Value::Str("".into()));
    assert_eq!(b[0][2].value(0), Value::Null);
}

fn error(data: &[u8]) -> QueryError {
    load(data, csv(), 1 << 16).unwrap_err()
}

fn context(e: &QueryError) -> String {
    format!(
        "{} {}",
        e.detail.as_deref().unwrap_or(""),
        e.hint.as_deref().unwrap_or("")
    )
}

#[test]
fn errors_name_the_first_bad_row_in_row_order() {
    // Row 3000 is bad in its fourth column, row 3001 in its third: row 3000 (line 3002,
    // after the header) is reported, with its column and value.
    let e = error(&input(|i, r| match i {
        3000 => r.replace(".00,", ".x0,"),
        3001 => r.replace(",1,", ",one,"),
        _ => r,
    }));
    assert_eq!(e.code, sqlstate::INVALID_TEXT_REPRESENTATION);
    assert!(context(&e).contains("line 3002, column x: \"750.x0\""), "{e:?}");

    let e = error(&input(|i, r| {
        if i == 4000 {
            r.replace(",0,", ",2147483648,")
        } else {
            r
        }
    }));
    assert_eq!(e.code, sqlstate::NUMERIC_VALUE_OUT_OF_RANGE);
    assert!(context(&e).contains("line 4002, column n"), "{e:?}");

    let e = error(&input(|i, r| {
        if i == 2049 {
            "2026-01-05 00:00:00,T0,1\n".into()
        } else {
            r
        }
    }));
    assert_eq!(e.code, sqlstate::BAD_COPY_FILE_FORMAT);
    assert!(e.message.contains("missing data for column \"x\""), "{e:?}");
    assert!(context(&e).contains("line 2051"), "{e:?}");

    let mut data = input(|_, r| r);
    let at = data.windows(4).position(|w| w == b",T2,").unwrap() + 2;
    data[at] = 0xff;
    let e = error(&data);
    assert_eq!(e.code, sqlstate::CHARACTER_NOT_IN_REPERTOIRE);
    assert!(context(&e).contains("line 4, column tag"), "{e:?}");
}

#[test]
fn text_format_nulls_and_escapes() {
    // pg_dump-style text: \N fields are NULL (the block path takes such data as it is); an
    // escaped backslash or tab elsewhere sends the data to the row path, with the same meaning.
    let text = |i: usize| {
        let r = row(i).replace(',', "\t");
        match i {
            7 => r.replace("\tT1\t", "\t\\N\t"),
            3000 => r.replace("\t0\t", "\t\\N\t"),
            _ => r,
        }
    };
    let options = || CopyOptions {
        header: false,
        ..CopyOptions::default()
    };
    let data: String = (0..ROWS).map(text).collect();
    let rows = load(data.as_bytes(), options(), 3000).unwrap();
    assert_eq!(rows.len(), ROWS);
    assert_eq!(rows[7][1], Value::Null);
    assert_eq!(rows[3000][2], Value::Null);
    assert_eq!(rows[6], expected(6));
    assert_eq!(rows[4999], expected(4999));
    // A literal backslash-N (escaped) and an escaped tab are text, not NULL.
    let escaped = data.replacen("\tT0\t", "\ta\\\\N\\tb\t", 1);
    let rows = load(escaped.as_bytes(), options(), 3000).unwrap();
    assert_eq!(rows[0][1], Value::Str("a\\N\tb".into()));
    assert_eq!(rows[7][1], Value::Null);
    assert_eq!(rows[1], expected(1));
}

#[test]
fn which_text_data_the_block_path_takes() {
    use super::reader::only_null_markers;
    let ok = |d: &str| only_null_markers(d.as_bytes(), b'\t', b"\\N");
    assert!(ok("a\tb\n"));
    assert!(ok("\\N\tb\n"));
    assert!(ok("a\t\\N\n\\N\t\\N\r\n"));
    assert!(ok("a\t\\N"));
    // Escapes, the end marker, a marker inside a field, or another NULL string: the row path.
    assert!(!ok("a\\tb\tc\n"));
    assert!(!ok("a\t\\\\N\n"));
    assert!(!ok("\\.\n"));
    assert!(!ok("x\\N\tb\n"));
    assert!(!ok("\\Nx\tb\n"));
    assert!(!ok("\\N\rb\n"));
    assert!(!only_null_markers(b"\\N\tb\n", b'\t', b"NULL"));
}

/// Loads `pieces` into the given columns; returns the rows.
fn load_into(
    cols: &[(&str, DataType, bool)],
    options: CopyOptions,
    pieces: &[&[u8]],
) -> Result<Vec<Vec<Value>>, QueryError> {
    let cols = cols
        .iter()
        .map(|(name, ty, force_not_null)| ReaderColumn {
            name: (*name).into(),
            ty: ty.clone(),
            force_null: false,
            force_not_null: *force_not_null,
        })
        .collect();
    let mut r = CopyReader::new("t", cols, options, EvalContext::default());
    let mut batches: Vec<Vec<Vector>> = Vec::new();
    for p in pieces {
        batches.extend(r.feed(p)?);
    }
    batches.extend(r.finish()?);
    Ok(batches
        .iter()
        .flat_map(|b| (0..b[0].len()).map(move |i| b.iter().map(|c| c.value(i)).collect()))
        .collect())
}

#[test]
fn nothing_after_the_end_marker_is_loaded() {
    let int = [("a", DataType::Int4, false)];
    // The marker completed by the next piece.
    let rows = load_into(&int, CopyOptions::default(), &[b"1\n\\", b".\n2\n3\n"]).unwrap();
    assert_eq!(rows, vec![vec![Value::Int(1)]]);
    // The marker where the header would be.
    let rows = load_into(&int, csv(), &[b"\\.\n1\n2\n"]).unwrap();
    assert!(rows.is_empty());
}

#[test]
fn force_not_null_reads_the_null_marker_as_a_value() {
    // PostgreSQL: an empty unquoted field under FORCE_NOT_NULL is '' for text and an input
    // error for an integer, whichever path the block takes.
    let cols = [("a", DataType::Int4, true), ("b", DataType::Text, true)];
    let options = || CopyOptions {
        header: false,
        ..csv()
    };
    let e = load_into(&cols, options(), &[b"1,x\n,y\n"]).unwrap_err();
    assert_eq!(e.code, sqlstate::INVALID_TEXT_REPRESENTATION);
    assert!(context(&e).contains("line 2, column a"), "{e:?}");
    let rows = load_into(&cols, options(), &[b"1,\n"]).unwrap();
    assert_eq!(rows, vec![vec![Value::Int(1), Value::Str("".into())]]);
}

#[test]
fn a_quoted_header_split_across_pieces() {
    let cols = [("a", DataType::Text, false), ("b", DataType::Text, false)];
    let rows = load_into(&cols, csv(), &[b"\"a\nb\",c", b"\n1,2\n"]).unwrap();
    assert_eq!(rows, vec![vec![Value::Str("1".into()), Value::Str("2".into())]]);
}
