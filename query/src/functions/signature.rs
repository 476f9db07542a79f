//! Function signatures: argument types (concrete or polymorphic) and the return type rule.
use crate::error::Result;
use crate::types::DataType;

/// One parameter's type.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgType {
    /// Exactly this type (after implicit casts).
    Exact(DataType),
    /// Any type; all `AnyElement` parameters of one call share one type.
    AnyElement,
    /// Any array type; its element type is the call's `AnyElement`.
    AnyArray,
    /// Any type at all, independently per parameter.
    Any,
}

/// How the return type follows from the argument types.
#[derive(Clone)]
pub enum ReturnType {
    /// A fixed type.
    Exact(DataType),
    /// The type bound to `AnyElement`.
    Element,
    /// An array of the type bound to `AnyElement`.
    ArrayOfElement,
    /// The type of argument `i`.
    SameAs(usize),
    /// Computed from the (resolved) argument types.
    Computed(fn(&[DataType]) -> Result<DataType>),
}

impl std::fmt::Debug for ReturnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReturnType::Exact(t) => write!(f, "{t}"),
            ReturnType::Element => write!(f, "anyelement"),
            ReturnType::ArrayOfElement => write!(f, "anyarray"),
            ReturnType::SameAs(i) => write!(f, "$arg{i}"),
            ReturnType::Computed(_) => write!(f, "computed"),
        }
    }
}

/// Parameters and return type.
#[derive(Debug, Clone)]
pub struct Signature {
    /// Fixed parameters.
    pub args: Vec<ArgType>,
    /// Type of any number of trailing parameters.
    pub variadic: Option<ArgType>,
    /// Number of trailing fixed parameters that may be omitted.
    pub optional: usize,
    /// Return type.
    pub ret: ReturnType,
}

impl Signature {
    /// Fixed parameter types and a fixed return type.
    pub fn exact(args: &[DataType], ret: DataType) -> Signature {
        Signature {
            args: args.iter().cloned().map(ArgType::Exact).collect(),
            variadic: None,
            optional: 0,
            ret: ReturnType::Exact(ret),
        }
    }

    /// Parameters and a return rule.
    pub fn new(args: Vec<ArgType>, ret: ReturnType) -> Signature {
        Signature {
            args,
            variadic: None,
            optional: 0,
            ret,
        }
    }

    /// Adds a variadic tail.
    pub fn variadic(mut self, t: ArgType) -> Signature {
        self.variadic = Some(t);
        self
    }

    /// Lets the last `n` parameters be omitted.
    pub fn optional(mut self, n: usize) -> Signature {
        self.optional = n;
        self
    }

    /// The return type for these (resolved) argument types and element binding.
    pub fn return_type(&self, args: &[DataType], element: Option<&DataType>) -> Result<DataType> {
        Ok(match &self.ret {
            ReturnType::Exact(t) => t.clone(),
            ReturnType::Element => element.cloned().unwrap_or(DataType::Text),
            ReturnType::ArrayOfElement => {
                DataType::Array(Box::new(element.cloned().unwrap_or(DataType::Text)))
            }
            ReturnType::SameAs(i) => args.get(*i).cloned().unwrap_or(DataType::Text),
            ReturnType::Computed(f) => f(args)?,
        })
    }

    /// Human-readable parameter list, e.g. `(integer, text)`.
    pub fn describe_args(&self) -> String {
        let mut parts: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                ArgType::Exact(t) => t.display_name(),
                ArgType::AnyElement => "anyelement".into(),
                ArgType::AnyArray => "anyarray".into(),
                ArgType::Any => "\"any\"".into(),
            })
            .collect();
        if let Some(v) = &self.variadic {
            parts.push(format!("VARIADIC {v:?}"));
        }
        parts.join(", ")
    }
}
