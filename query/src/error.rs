//! Errors with PostgreSQL SQLSTATE codes, messages naming the offending object, and an optional
//! position (1-based character offset into the statement), detail and hint.
use std::fmt;

/// SQLSTATE codes used by plantdb.
pub mod sqlstate {
    /// 0A000
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    /// 21000
    pub const CARDINALITY_VIOLATION: &str = "21000";
    /// 22001
    pub const STRING_DATA_RIGHT_TRUNCATION: &str = "22001";
    /// 22003
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    /// 22004
    pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";
    /// 22007
    pub const INVALID_DATETIME_FORMAT: &str = "22007";
    /// 22008
    pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
    /// 22012
    pub const DIVISION_BY_ZERO: &str = "22012";
    /// 22023
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    /// 2202E
    pub const ARRAY_SUBSCRIPT_ERROR: &str = "2202E";
    /// 22P02
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    /// 22P04
    pub const BAD_COPY_FILE_FORMAT: &str = "22P04";
    /// 22021
    pub const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";
    /// 2201B
    pub const INVALID_REGULAR_EXPRESSION: &str = "2201B";
    /// 22013
    pub const INVALID_PRECEDING_OR_FOLLOWING_SIZE: &str = "22013";
    /// 2201W
    pub const INVALID_ROW_COUNT_IN_LIMIT_CLAUSE: &str = "2201W";
    /// 2201X
    pub const INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE: &str = "2201X";
    /// 22000
    pub const DATA_EXCEPTION: &str = "22000";
    /// 23502
    pub const NOT_NULL_VIOLATION: &str = "23502";
    /// 23505
    pub const UNIQUE_VIOLATION: &str = "23505";
    /// 25001
    pub const ACTIVE_SQL_TRANSACTION: &str = "25001";
    /// 25P01
    pub const NO_ACTIVE_SQL_TRANSACTION: &str = "25P01";
    /// 55P02
    pub const CANT_CHANGE_RUNTIME_PARAM: &str = "55P02";
    /// 25P02
    pub const IN_FAILED_SQL_TRANSACTION: &str = "25P02";
    /// 25006
    pub const READ_ONLY_SQL_TRANSACTION: &str = "25006";
    /// 26000
    pub const INVALID_SQL_STATEMENT_NAME: &str = "26000";
    /// 28000
    pub const INVALID_AUTHORIZATION_SPECIFICATION: &str = "28000";
    /// 28P01
    pub const INVALID_PASSWORD: &str = "28P01";
    /// 34000
    pub const INVALID_CURSOR_NAME: &str = "34000";
    /// 3D000
    pub const INVALID_CATALOG_NAME: &str = "3D000";
    /// 3F000
    pub const INVALID_SCHEMA_NAME: &str = "3F000";
    /// 3B001
    pub const INVALID_SAVEPOINT_SPECIFICATION: &str = "3B001";
    /// 42501
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    /// 42601
    pub const SYNTAX_ERROR: &str = "42601";
    /// 42602
    pub const INVALID_NAME: &str = "42602";
    /// 42701
    pub const DUPLICATE_COLUMN: &str = "42701";
    /// 42702
    pub const AMBIGUOUS_COLUMN: &str = "42702";
    /// 42703
    pub const UNDEFINED_COLUMN: &str = "42703";
    /// 42704
    pub const UNDEFINED_OBJECT: &str = "42704";
    /// 42710
    pub const DUPLICATE_OBJECT: &str = "42710";
    /// 42712
    pub const DUPLICATE_ALIAS: &str = "42712";
    /// 42725
    pub const AMBIGUOUS_FUNCTION: &str = "42725";
    /// 42803
    pub const GROUPING_ERROR: &str = "42803";
    /// 42804
    pub const DATATYPE_MISMATCH: &str = "42804";
    /// 42809
    pub const WRONG_OBJECT_TYPE: &str = "42809";
    /// 42846
    pub const CANNOT_COERCE: &str = "42846";
    /// 42883
    pub const UNDEFINED_FUNCTION: &str = "42883";
    /// 42P01
    pub const UNDEFINED_TABLE: &str = "42P01";
    /// 42P02
    pub const UNDEFINED_PARAMETER: &str = "42P02";
    /// 42P07
    pub const DUPLICATE_TABLE: &str = "42P07";
    /// 42P10
    pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
    /// 42P16
    pub const INVALID_TABLE_DEFINITION: &str = "42P16";
    /// 42P18
    pub const INDETERMINATE_DATATYPE: &str = "42P18";
    /// 42P19
    pub const INVALID_RECURSION: &str = "42P19";
    /// 42P20
    pub const WINDOWING_ERROR: &str = "42P20";
    /// 42939
    pub const RESERVED_NAME: &str = "42939";
    /// 53200
    pub const OUT_OF_MEMORY: &str = "53200";
    /// 53300
    pub const TOO_MANY_CONNECTIONS: &str = "53300";
    /// 54000
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    /// 54001
    pub const STATEMENT_TOO_COMPLEX: &str = "54001";
    /// 55006
    pub const OBJECT_IN_USE: &str = "55006";
    /// 57014
    pub const QUERY_CANCELED: &str = "57014";
    /// 57P01
    pub const ADMIN_SHUTDOWN: &str = "57P01";
    /// 58030
    pub const IO_ERROR: &str = "58030";
    /// 08P01
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    /// XX000
    pub const INTERNAL_ERROR: &str = "XX000";
    /// XX001
    pub const DATA_CORRUPTED: &str = "XX001";
}

/// A query error as PostgreSQL would report it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    /// SQLSTATE.
    pub code: &'static str,
    /// Primary message.
    pub message: String,
    /// Optional detail.
    pub detail: Option<String>,
    /// Optional hint.
    pub hint: Option<String>,
    /// 1-based character position in the statement.
    pub position: Option<u32>,
}

impl QueryError {
    /// An error with a code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> QueryError {
        QueryError {
            code,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> QueryError {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> QueryError {
        self.detail = Some(detail.into());
        self
    }

    /// Sets the position if none is set yet.
    pub fn at(mut self, position: Option<u32>) -> QueryError {
        if self.position.is_none() {
            self.position = position;
        }
        self
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for QueryError {}

/// Result alias.
pub type Result<T, E = QueryError> = std::result::Result<T, E>;

/// Shorthand constructors.
pub fn err<T>(code: &'static str, message: impl Into<String>) -> Result<T> {
    Err(QueryError::new(code, message))
}

/// 0A000 "… is not supported".
pub fn unsupported<T>(what: impl fmt::Display) -> Result<T> {
    Err(QueryError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported"),
    ))
}

/// XX000: a broken invariant reached by input rather than a panic.
pub fn internal(what: impl fmt::Display) -> QueryError {
    QueryError::new(sqlstate::INTERNAL_ERROR, format!("internal error: {what}"))
}

impl From<plantdb_storage::Error> for QueryError {
    fn from(e: plantdb_storage::Error) -> QueryError {
        use plantdb_storage::Error as E;
        let code = match &e {
            E::Corrupt { .. } => sqlstate::DATA_CORRUPTED,
            E::Poisoned(_) | E::Io { .. } => sqlstate::IO_ERROR,
            E::Locked(_) => sqlstate::OBJECT_IN_USE,
            E::NoSuchTable(_) => sqlstate::UNDEFINED_TABLE,
            E::TableExists(_) => sqlstate::DUPLICATE_TABLE,
            E::ColumnExists { .. } => sqlstate::DUPLICATE_COLUMN,
            E::InvalidSchema(_) => sqlstate::INVALID_TABLE_DEFINITION,
            E::InvalidBatch(m) if m.contains("not-null") => sqlstate::NOT_NULL_VIOLATION,
            E::InvalidBatch(_) => sqlstate::DATA_EXCEPTION,
            E::Closed => sqlstate::ADMIN_SHUTDOWN,
            _ => sqlstate::INTERNAL_ERROR,
        };
        QueryError::new(code, e.to_string())
    }
}
