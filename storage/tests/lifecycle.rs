//! Deletes, truncation, retention, added columns and dimension tables.
mod common;
use common::*;
use plantdb_storage::{
    Column, ColumnRole, ColumnVec, DedupPolicy, Engine, EngineOptions, PhysicalType, Scalar, ScanSpec,
    TableOptions, TableSchema, WriteBatch,
};

#[test]
fn delete_a_time_range_and_some_series() {
    let dir = tmpdir("delete");
    let e = open(&dir);
    let mut schema = telemetry("t", DedupPolicy::KeepAll);
    schema.options.partition_us = HOUR;
    e.create_table(schema).unwrap();
    let model = rows(3, 3 * 3600, T0);
    e.append("t", &batch(&model)).unwrap();
    // whole partition (hour 1) for all series, plus part of hour 2 for M001 only
    let n = e.delete("t", T0 + HOUR, T0 + 2 * HOUR - 1, None, None).unwrap();
    assert_eq!(n, 3 * 3600);
    let m1 = e.snapshot("t").unwrap().series.tag(0).unwrap().postings(b"M001");
    let n = e
        .delete("t", T0 + 2 * HOUR, T0 + 2 * HOUR + 99 * SEC, Some(&m1), None)
        .unwrap();
    assert_eq!(n, 100);
    let mut want: Vec<Row> = model
        .into_iter()
        .filter(|r| !(r.ts >= T0 + HOUR && r.ts < T0 + 2 * HOUR))
        .filter(|r| !(r.machine == "M001" && r.ts >= T0 + 2 * HOUR && r.ts <= T0 + 2 * HOUR + 99 * SEC))
        .collect();
    sort(&mut want);
    assert_eq!(scan(&e, "t"), want);
    drop(e);
    assert_eq!(scan(&open(&dir), "t"), want);
}

#[test]
fn delete_with_a_row_filter() {
    let dir = tmpdir("delete-filter");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let model = rows(2, 1000, T0);
    e.append("t", &batch(&model)).unwrap();
    let filter = |_: &plantdb_storage::TableSnapshot, d: &plantdb_storage::PieceData| {
        Ok((0..d.ts.len())
            .map(|i| matches!(d.columns[2].scalar(i), Scalar::Float64(v) if v > 0.5))
            .collect())
    };
    let n = e.delete("t", i64::MIN, i64::MAX, None, Some(&filter)).unwrap();
    let mut want: Vec<Row> = model
        .iter()
        .filter(|r| r.value.unwrap() <= 0.5)
        .cloned()
        .collect();
    assert_eq!(n as usize, model.len() - want.len());
    sort(&mut want);
    assert_eq!(scan(&e, "t"), want);
}

#[test]
fn truncate_then_write_again() {
    let dir = tmpdir("truncate");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    e.append("t", &batch(&rows(2, 100, T0))).unwrap();
    assert_eq!(e.truncate("t").unwrap(), 200);
    assert!(scan(&e, "t").is_empty());
    e.append("t", &batch(&[row(T0, "M9", 0.5)])).unwrap();
    drop(e);
    assert_eq!(scan(&open(&dir), "t"), vec![row(T0, "M9", 0.5)]);
}

#[test]
fn retention_drops_old_partitions() {
    let dir = tmpdir("ttl");
    fn clock() -> i64 {
        T0 + 3 * plantdb_storage::DAY_US + HOUR
    }
    let e = Engine::open(&dir, EngineOptions { clock, ..options() }).unwrap();
    let mut schema = telemetry("t", DedupPolicy::KeepAll);
    schema.options.ttl_us = Some(2 * plantdb_storage::DAY_US);
    e.create_table(schema).unwrap();
    for day in 0..4 {
        e.append("t", &batch(&rows(1, 10, T0 + day * plantdb_storage::DAY_US)))
            .unwrap();
    }
    e.vacuum().unwrap();
    // now = day 3 + 1h, ttl 2 days: day 0 ends before the cutoff (day 1 + 1h) and goes
    let days: Vec<i64> = scan(&e, "t")
        .iter()
        .map(|r| (r.ts - T0) / plantdb_storage::DAY_US)
        .collect();
    assert_eq!(days.first(), Some(&1));
    assert_eq!(days.len(), 30);
}

#[test]
fn added_columns_read_null_for_old_rows() {
    let dir = tmpdir("addcol");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    e.append("t", &batch(&[row(T0, "M1", 0.5)])).unwrap();
    e.checkpoint().unwrap();
    e.append("t", &batch(&[row(T0 + SEC, "M1", 0.6)])).unwrap();
    e.add_column("t", col("extra", PhysicalType::Float64, ColumnRole::Field, true))
        .unwrap();
    let mut b = batch(&[row(T0 + 2 * SEC, "M1", 0.7)]);
    b.columns.push(Column::new(ColumnVec::Float64(vec![42.0])));
    e.append("t", &b).unwrap();
    let check = |e: &Engine| {
        let snap = e.snapshot("t").unwrap();
        let mut got = Vec::new();
        for p in snap.pieces(&ScanSpec::default()).unwrap() {
            let d = snap.read(&p, &[0, 6], i64::MIN, i64::MAX).unwrap();
            for i in 0..d.ts.len() {
                got.push((d.ts[i], d.columns[1].scalar(i)));
            }
        }
        got.sort_by_key(|g| g.0);
        assert_eq!(
            got,
            vec![
                (T0, Scalar::Null),
                (T0 + SEC, Scalar::Null),
                (T0 + 2 * SEC, Scalar::Float64(42.0))
            ]
        );
    };
    check(&e);
    drop(e);
    let e = open(&dir);
    check(&e);
    e.vacuum().unwrap();
    check(&e);
}

#[test]
fn dimension_tables_keep_insertion_order_ids() {
    let dir = tmpdir("dim");
    let e = open(&dir);
    let schema = TableSchema {
        id: 0,
        name: "machines".into(),
        columns: vec![
            col("machine_id", PhysicalType::Bytes, ColumnRole::Field, false),
            col("ideal_cycle_s", PhysicalType::Float64, ColumnRole::Field, true),
        ],
        options: TableOptions::default(),
        properties: Default::default(),
    };
    e.create_table(schema).unwrap();
    let mk = |names: &[&str], v: f64| {
        let mut d = plantdb_storage::DictBuilder::default();
        names.iter().for_each(|n| d.push(n.as_bytes()));
        WriteBatch::new(vec![
            Column::new(ColumnVec::Bytes(d.finish())),
            Column::new(ColumnVec::Float64(vec![v; names.len()])),
        ])
    };
    e.append("machines", &mk(&["M1", "M2"], 30.0)).unwrap();
    e.checkpoint().unwrap();
    drop(e);
    let e = open(&dir);
    e.append("machines", &mk(&["M3"], 6.0)).unwrap();
    let snap = e.snapshot("machines").unwrap();
    let mut got = Vec::new();
    for p in snap.pieces(&ScanSpec::default()).unwrap() {
        let d = snap.read(&p, &[0], i64::MIN, i64::MAX).unwrap();
        for i in 0..d.ts.len() {
            got.push((d.ts[i], d.columns[0].scalar(i)));
        }
    }
    got.sort_by_key(|g| g.0);
    let ids: Vec<i64> = got.iter().map(|g| g.0).collect();
    assert_eq!(ids, vec![0, 1, 2], "row ids continue after reopen");
    assert_eq!(got[2].1, Scalar::Bytes(b"M3"[..].into()));
}

#[test]
fn bad_batches_are_rejected_and_change_nothing() {
    let dir = tmpdir("badbatch");
    let e = open(&dir);
    e.create_table(telemetry("t", DedupPolicy::KeepAll)).unwrap();
    let mut b = batch(&[row(T0, "M1", 0.5)]);
    b.columns.pop();
    assert!(matches!(
        e.append("t", &b),
        Err(plantdb_storage::Error::InvalidBatch(_))
    ));
    let mut b = batch(&[row(T0, "M1", 0.5)]);
    b.columns[0].validity = Some(vec![false]);
    assert!(matches!(
        e.append("t", &b),
        Err(plantdb_storage::Error::InvalidBatch(_))
    ));
    let mut b = batch(&[row(T0, "M1", 0.5)]);
    b.columns[2] = Column::new(ColumnVec::Int64(vec![1]));
    assert!(matches!(
        e.append("t", &b),
        Err(plantdb_storage::Error::InvalidBatch(_))
    ));
    assert!(matches!(
        e.append("nope", &batch(&[row(T0, "M1", 0.5)])),
        Err(plantdb_storage::Error::NoSuchTable(_))
    ));
    assert!(scan(&e, "t").is_empty());
    assert!(matches!(
        e.create_table(telemetry("t", DedupPolicy::KeepAll)),
        Err(plantdb_storage::Error::TableExists(_))
    ));
}

#[test]
fn a_second_process_cannot_open_the_directory() {
    let dir = tmpdir("lock");
    let _e = open(&dir);
    assert!(matches!(
        Engine::open(&dir, options()),
        Err(plantdb_storage::Error::Locked(_))
    ));
}
