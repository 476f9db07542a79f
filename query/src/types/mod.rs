//! SQL types with PostgreSQL's names, OIDs and type modifiers.
pub mod cast;
mod datetime;
mod interval;
pub mod numeric;
pub mod text;
pub mod value;

pub use datetime::*;
pub use interval::Interval;
pub use numeric::Decimal;
pub use value::{ArrayValue, Value};

/// A SQL type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DataType {
    /// boolean
    Bool,
    /// smallint
    Int2,
    /// integer
    Int4,
    /// bigint
    Int8,
    /// real
    Float4,
    /// double precision
    Float8,
    /// numeric(p, s) or unconstrained numeric
    Numeric(Option<(u16, u16)>),
    /// text
    Text,
    /// character varying(n)
    Varchar(Option<u32>),
    /// character(n)
    Bpchar(Option<u32>),
    /// name (catalog identifiers)
    Name,
    /// "char" (single-byte catalog type)
    Char,
    /// bytea
    Bytea,
    /// date
    Date,
    /// time without time zone
    Time,
    /// timestamp without time zone
    Timestamp,
    /// timestamp with time zone
    Timestamptz,
    /// interval
    Interval,
    /// oid
    Oid,
    /// regclass
    RegClass,
    /// regtype
    RegType,
    /// regproc
    RegProc,
    /// regnamespace
    RegNamespace,
    /// json (kept as text)
    Json,
    /// jsonb (kept as text)
    Jsonb,
    /// uuid (kept as text)
    Uuid,
    /// array of the element type
    Array(Box<DataType>),
    /// an untyped literal (string literal before coercion, or NULL)
    Unknown,
    /// void (functions that return nothing)
    Void,
    /// record (anonymous row)
    Record,
}

/// How values of a type are held in vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Physical {
    /// `bool`
    Bool,
    /// `i64` (all integers, dates as days, times and timestamps as µs, OIDs)
    Int,
    /// `f64`
    Float,
    /// UTF-8 bytes (text types, bytea)
    Text,
    /// Generic [`Value`]s (numeric, interval, arrays, ...)
    Value,
}

/// PostgreSQL's type categories (pg_type.typcategory), used for implicit casts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// B
    Boolean,
    /// N
    Numeric,
    /// S
    String,
    /// D
    DateTime,
    /// T
    Timespan,
    /// A
    Array,
    /// U
    User,
    /// X
    Unknown,
    /// P (pseudo)
    Pseudo,
}

impl DataType {
    /// How values are held in vectors.
    pub fn physical(&self) -> Physical {
        use DataType::*;
        match self {
            Bool => Physical::Bool,
            Int2 | Int4 | Int8 | Date | Time | Timestamp | Timestamptz | Oid | RegClass | RegType
            | RegProc | RegNamespace => Physical::Int,
            Float4 | Float8 => Physical::Float,
            Text | Varchar(_) | Bpchar(_) | Name | Char | Bytea | Json | Jsonb | Uuid | Unknown => {
                Physical::Text
            }
            Numeric(_) | Interval | Array(_) | Void | Record => Physical::Value,
        }
    }

    /// The type's OID.
    pub fn oid(&self) -> u32 {
        use DataType::*;
        match self {
            Bool => 16,
            Bytea => 17,
            Char => 18,
            Name => 19,
            Int8 => 20,
            Int2 => 21,
            Int4 => 23,
            RegProc => 24,
            Text => 25,
            Oid => 26,
            Json => 114,
            Float4 => 700,
            Float8 => 701,
            Unknown => 705,
            Bpchar(_) => 1042,
            Varchar(_) => 1043,
            Date => 1082,
            Time => 1083,
            Timestamp => 1114,
            Timestamptz => 1184,
            Interval => 1186,
            Numeric(_) => 1700,
            RegClass => 2205,
            RegType => 2206,
            Uuid => 2950,
            Void => 2278,
            Record => 2249,
            Jsonb => 3802,
            RegNamespace => 4089,
            Array(e) => e.array_oid(),
        }
    }

    /// OID of the array type whose elements are this type (0 if none).
    pub fn array_oid(&self) -> u32 {
        use DataType::*;
        match self {
            Bool => 1000,
            Bytea => 1001,
            Char => 1002,
            Name => 1003,
            Int2 => 1005,
            Int4 => 1007,
            RegProc => 1008,
            Text => 1009,
            Oid => 1028,
            Bpchar(_) => 1014,
            Varchar(_) => 1015,
            Int8 => 1016,
            Float4 => 1021,
            Float8 => 1022,
            Timestamp => 1115,
            Date => 1182,
            Time => 1183,
            Timestamptz => 1185,
            Interval => 1187,
            Numeric(_) => 1231,
            RegClass => 2210,
            RegType => 2211,
            Uuid => 2951,
            Json => 199,
            Jsonb => 3807,
            RegNamespace => 4090,
            Record => 2287,
            _ => 0,
        }
    }

    /// The type with this OID (type modifiers unknown).
    pub fn from_oid(oid: u32) -> Option<DataType> {
        use DataType::*;
        Some(match oid {
            16 => Bool,
            17 => Bytea,
            18 => Char,
            19 => Name,
            20 => Int8,
            21 => Int2,
            23 => Int4,
            24 => RegProc,
            25 => Text,
            26 => Oid,
            114 => Json,
            700 => Float4,
            701 => Float8,
            705 => Unknown,
            1042 => Bpchar(None),
            1043 => Varchar(None),
            1082 => Date,
            1083 => Time,
            1114 => Timestamp,
            1184 => Timestamptz,
            1186 => Interval,
            1700 => Numeric(None),
            2205 => RegClass,
            2206 => RegType,
            2249 => Record,
            2278 => Void,
            2950 => Uuid,
            3802 => Jsonb,
            4089 => RegNamespace,
            _ => {
                let elem = [
                    Bool,
                    Bytea,
                    Char,
                    Name,
                    Int2,
                    Int4,
                    RegProc,
                    Text,
                    Oid,
                    Bpchar(None),
                    Varchar(None),
                    Int8,
                    Float4,
                    Float8,
                    Timestamp,
                    Date,
                    Time,
                    Timestamptz,
                    Interval,
                    Numeric(None),
                    RegClass,
                    RegType,
                    Uuid,
                    Json,
                    Jsonb,
                ]
                .into_iter()
                .find(|t| t.array_oid() == oid)?;
                Array(Box::new(elem))
            }
        })
    }

    /// The internal name (pg_type.typname).
    pub fn typname(&self) -> &'static str {
        use DataType::*;
        match self {
            Bool => "bool",
            Int2 => "int2",
            Int4 => "int4",
            Int8 => "int8",
            Float4 => "float4",
            Float8 => "float8",
            Numeric(_) => "numeric",
            Text => "text",
            Varchar(_) => "varchar",
            Bpchar(_) => "bpchar",
            Name => "name",
            Char => "char",
            Bytea => "bytea",
            Date => "date",
            Time => "time",
            Timestamp => "timestamp",
            Timestamptz => "timestamptz",
            Interval => "interval",
            Oid => "oid",
            RegClass => "regclass",
            RegType => "regtype",
            RegProc => "regproc",
            RegNamespace => "regnamespace",
            Json => "json",
            Jsonb => "jsonb",
            Uuid => "uuid",
            Array(e) => match e.typname() {
                "bool" => "_bool",
                "int2" => "_int2",
                "int4" => "_int4",
                "int8" => "_int8",
                "float4" => "_float4",
                "float8" => "_float8",
                "numeric" => "_numeric",
                "text" => "_text",
                "varchar" => "_varchar",
                "bpchar" => "_bpchar",
                "name" => "_name",
                "char" => "_char",
                "bytea" => "_bytea",
                "date" => "_date",
                "time" => "_time",
                "timestamp" => "_timestamp",
                "timestamptz" => "_timestamptz",
                "interval" => "_interval",
                "oid" => "_oid",
                "regclass" => "_regclass",
                "regtype" => "_regtype",
                "regproc" => "_regproc",
                "json" => "_json",
                "jsonb" => "_jsonb",
                "uuid" => "_uuid",
                _ => "_record",
            },
            Unknown => "unknown",
            Void => "void",
            Record => "record",
        }
    }

    /// The name `format_type` prints (with the type modifier).
    pub fn display_name(&self) -> String {
        use DataType::*;
        match self {
            Bool => "boolean".into(),
            Int2 => "smallint".into(),
            Int4 => "integer".into(),
            Int8 => "bigint".into(),
            Float4 => "real".into(),
            Float8 => "double precision".into(),
            Numeric(Some((p, s))) => format!("numeric({p},{s})"),
            Numeric(None) => "numeric".into(),
            Varchar(Some(n)) => format!("character varying({n})"),
            Varchar(None) => "character varying".into(),
            Bpchar(Some(n)) => format!("character({n})"),
            Bpchar(None) => "bpchar".into(),
            Char => "\"char\"".into(),
            Time => "time without time zone".into(),
            Timestamp => "timestamp without time zone".into(),
            Timestamptz => "timestamp with time zone".into(),
            Array(e) => format!("{}[]", e.display_name()),
            other => other.typname().to_string(),
        }
    }

    /// The type modifier as PostgreSQL stores it (atttypmod), -1 when none.
    pub fn typmod(&self) -> i32 {
        match self {
            DataType::Numeric(Some((p, s))) => ((i32::from(*p) << 16) | i32::from(*s)) + 4,
            DataType::Varchar(Some(n)) | DataType::Bpchar(Some(n)) => *n as i32 + 4,
            _ => -1,
        }
    }

    /// Fixed size in bytes (pg_type.typlen); -1 variable, -2 C string.
    pub fn typlen(&self) -> i16 {
        use DataType::*;
        match self {
            Bool | Char => 1,
            Int2 => 2,
            Int4 | Float4 | Date | Oid | RegClass | RegType | RegProc | RegNamespace => 4,
            Int8 | Float8 | Time | Timestamp | Timestamptz => 8,
            Interval | Uuid => 16,
            Name => 64,
            Unknown => -2,
            _ => -1,
        }
    }

    /// PostgreSQL's type category.
    pub fn category(&self) -> Category {
        use DataType::*;
        match self {
            Bool => Category::Boolean,
            Int2 | Int4 | Int8 | Float4 | Float8 | Numeric(_) | Oid | RegClass | RegType | RegProc
            | RegNamespace => Category::Numeric,
            Text | Varchar(_) | Bpchar(_) | Name | Char => Category::String,
            Date | Time | Timestamp | Timestamptz => Category::DateTime,
            Interval => Category::Timespan,
            Array(_) => Category::Array,
            Unknown => Category::Unknown,
            Void | Record => Category::Pseudo,
            Bytea | Json | Jsonb | Uuid => Category::User,
        }
    }

    /// Whether this is the preferred type of its category (text, float8, timestamptz, ...).
    pub fn is_preferred(&self) -> bool {
        matches!(
            self,
            DataType::Text
                | DataType::Float8
                | DataType::Timestamptz
                | DataType::Interval
                | DataType::Bool
                | DataType::Oid
        )
    }

    /// Whether values are text-like strings.
    pub fn is_string(&self) -> bool {
        self.category() == Category::String || matches!(self, DataType::Unknown)
    }

    /// Whether values are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            DataType::Int2
                | DataType::Int4
                | DataType::Int8
                | DataType::Float4
                | DataType::Float8
                | DataType::Numeric(_)
        )
    }

    /// Whether values are integers.
    pub fn is_integer(&self) -> bool {
        matches!(self, DataType::Int2 | DataType::Int4 | DataType::Int8)
    }

    /// The type without its modifier (for function resolution).
    pub fn base(&self) -> DataType {
        match self {
            DataType::Numeric(_) => DataType::Numeric(None),
            DataType::Varchar(_) => DataType::Varchar(None),
            DataType::Bpchar(_) => DataType::Bpchar(None),
            DataType::Array(e) => DataType::Array(Box::new(e.base())),
            t => t.clone(),
        }
    }

    /// Parses a type name as written in SQL (`int`, `double precision`, `varchar(20)`, `text[]`, ...).
    pub fn parse_name(name: &str) -> Option<DataType> {
        let n = name.trim().to_ascii_lowercase();
        let n = n.strip_prefix("pg_catalog.").unwrap_or(&n).trim().to_string();
        if let Some(inner) = n.strip_suffix("[]") {
            return DataType::parse_name(inner).map(|t| DataType::Array(Box::new(t)));
        }
        if let Some(inner) = n.strip_prefix('_') {
            return DataType::parse_name(inner).map(|t| DataType::Array(Box::new(t)));
        }
        let (base, args) = match n.find('(') {
            Some(i) => {
                let args: Vec<u32> = n[i + 1..]
                    .trim_end_matches(')')
                    .split(',')
                    .filter_map(|a| a.trim().parse().ok())
                    .collect();
                (n[..i].trim().to_string(), args)
            }
            None => (n.clone(), Vec::new()),
        };
        use DataType::*;
        Some(match base.as_str() {
            "bool" | "boolean" => Bool,
            "int2" | "smallint" => Int2,
            "int" | "int4" | "integer" => Int4,
            "int8" | "bigint" => Int8,
            "float4" | "real" => Float4,
            "float8" | "double precision" | "double" => Float8,
            "float" => match args.first() {
                Some(&p) if p <= 24 => Float4,
                _ => Float8,
            },
            "numeric" | "decimal" => match args[..] {
                [p] => Numeric(Some((p as u16, 0))),
                [p, s] => Numeric(Some((p as u16, s as u16))),
                _ => Numeric(None),
            },
            "text" => Text,
            "varchar" | "character varying" => Varchar(args.first().copied()),
            "char" | "character" | "bpchar" => Bpchar(Some(args.first().copied().unwrap_or(1))),
            "\"char\"" => Char,
            "name" => Name,
            "bytea" => Bytea,
            "date" => Date,
            "time" | "time without time zone" => Time,
            "timestamp" | "timestamp without time zone" => Timestamp,
            "timestamptz" | "timestamp with time zone" => Timestamptz,
            "interval" => Interval,
            "oid" => Oid,
            "regclass" => RegClass,
            "regtype" => RegType,
            "regproc" | "regprocedure" => RegProc,
            "regnamespace" => RegNamespace,
            "json" => Json,
            "jsonb" => Jsonb,
            "uuid" => Uuid,
            "unknown" => Unknown,
            "void" => Void,
            "record" => Record,
            _ => return None,
        })
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display_name())
    }
}
