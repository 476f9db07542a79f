//! Table definitions as the store sees them: columns with a physical type and a role.
use serde::{Deserialize, Serialize};

use crate::column::{Column, ColumnVec, DictVec, PhysicalType};
use crate::error::{Error, Result};

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnRole {
    /// The designated timestamp (at most one per table).
    Time,
    /// A tag: part of the series key, dictionary-encoded, stored once per series.
    Tag,
    /// A field: a value stored per row.
    Field,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// Column name (as the SQL layer spells it).
    pub name: String,
    /// How values are stored.
    pub ptype: PhysicalType,
    /// The SQL type, opaque to the store (e.g. "timestamp", "numeric(10,2)").
    pub logical: String,
    /// Its role.
    pub role: ColumnRole,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Default expression, opaque to the store (SQL text).
    #[serde(default)]
    pub default: Option<String>,
    /// The value of this column in rows stored before it was added (ALTER TABLE ... ADD COLUMN
    /// with a DEFAULT); `None` reads them as NULL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Fill>,
}

/// A constant stored value (of a column's physical type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fill {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int64(i64),
    /// A double.
    Float64(f64),
    /// A byte string.
    Bytes(Vec<u8>),
}

impl ColumnDef {
    /// The column for `n` rows stored before the column existed: its fill value, or NULLs.
    pub fn missing(&self, n: usize) -> Column {
        let values = match &self.fill {
            None => return Column::nulls(self.ptype, n),
            Some(Fill::Bool(b)) => ColumnVec::Bool(vec![*b; n]),
            Some(Fill::Int64(i)) => ColumnVec::Int64(vec![*i; n]),
            Some(Fill::Float64(f)) => ColumnVec::Float64(vec![*f; n]),
            Some(Fill::Bytes(b)) => ColumnVec::Bytes(DictVec {
                dict: std::sync::Arc::new(vec![b.clone().into_boxed_slice()]),
                codes: vec![0; n],
            }),
        };
        Column::new(values)
    }
}

/// Which row wins when two rows have the same series and timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DedupPolicy {
    /// Keep every row (the default).
    #[default]
    KeepAll,
    /// Keep only the last written row.
    KeepLast,
}

/// Per-table storage options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableOptions {
    /// Partition width in microseconds (1 day by default).
    pub partition_us: i64,
    /// Retention: partitions entirely older than now − ttl are dropped.
    pub ttl_us: Option<i64>,
    /// Duplicate policy.
    pub dedup: DedupPolicy,
}

/// Microseconds in a day.
pub const DAY_US: i64 = 86_400_000_000;

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            partition_us: DAY_US,
            ttl_us: None,
            dedup: DedupPolicy::KeepAll,
        }
    }
}

/// A table as stored: id, name, columns and options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSchema {
    /// Stable id (never reused).
    pub id: u64,
    /// Name.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnDef>,
    /// Options.
    pub options: TableOptions,
    /// Extra properties kept for the SQL layer (primary key, comments, ...).
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, String>,
}

impl TableSchema {
    /// Index of the time column, if the table is a time-series table.
    pub fn time_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.role == ColumnRole::Time)
    }

    /// Indexes of the tag columns, in order.
    pub fn tag_columns(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| self.columns[i].role == ColumnRole::Tag)
            .collect()
    }

    /// Whether rows are stored per series with a real timestamp (false: a dimension table).
    pub fn is_time_series(&self) -> bool {
        self.time_column().is_some()
    }

    /// Index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Checks the definition: unique names, one time column of type Int64, tags are Bytes.
    pub fn validate(&self) -> Result<()> {
        if self.columns.is_empty() {
            return Err(Error::InvalidSchema("a table needs at least one column".into()));
        }
        for (i, c) in self.columns.iter().enumerate() {
            if self.columns[..i].iter().any(|d| d.name == c.name) {
                return Err(Error::InvalidSchema(format!(
                    "column \"{}\" specified more than once",
                    c.name
                )));
            }
            match c.role {
                ColumnRole::Time if c.ptype != PhysicalType::Int64 => {
                    return Err(Error::InvalidSchema(format!(
                        "time column \"{}\" must be a timestamp",
                        c.name
                    )));
                }
                ColumnRole::Tag if c.ptype != PhysicalType::Bytes => {
                    return Err(Error::InvalidSchema(format!(
                        "tag column \"{}\" must be text",
                        c.name
                    )));
                }
                _ => {}
            }
        }
        if self.columns.iter().filter(|c| c.role == ColumnRole::Time).count() > 1 {
            return Err(Error::InvalidSchema("only one time column is allowed".into()));
        }
        if self.options.partition_us <= 0 {
            return Err(Error::InvalidSchema("partition width must be positive".into()));
        }
        if !self.is_time_series() && !self.tag_columns().is_empty() {
            return Err(Error::InvalidSchema("tags need a time column".into()));
        }
        Ok(())
    }

    /// Start of the partition holding timestamp `ts`.
    pub fn partition_of(&self, ts: i64) -> i64 {
        if !self.is_time_series() {
            return 0;
        }
        ts.div_euclid(self.options.partition_us) * self.options.partition_us
    }
}
