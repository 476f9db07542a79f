//! `string_agg` (text and bytea) and `array_agg` (NULL elements kept).
use std::any::Any;

use super::{needed, other, reg};
use crate::error::Result;
use crate::functions::builtin::kernels::{array_value, bytes_value, t};
use crate::functions::{Accumulator, ArgType, Registry, ReturnType, Signature};
use crate::types::{DataType, Value};
use crate::vector::Vector;

/// Per group: the text so far and the delimiter given with its first value (needed to join a
/// merged partial state after another).
struct StringAgg {
    ty: DataType,
    v: Vec<Option<(Vec<u8>, Vec<u8>)>>,
}

impl Accumulator for StringAgg {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let (val, delim) = (&args[0], &args[1]);
        for (i, &g) in groups.iter().enumerate() {
            if val.is_null(i) {
                continue;
            }
            let d: &[u8] = if delim.is_null(i) { b"" } else { delim.bytes_at(i) };
            match &mut self.v[g as usize] {
                None => self.v[g as usize] = Some((val.bytes_at(i).to_vec(), d.to_vec())),
                Some((s, _)) => {
                    s.extend_from_slice(d);
                    s.extend_from_slice(val.bytes_at(i));
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<StringAgg>(o)?;
        for (g, x) in o.v.drain(..).enumerate() {
            if let (Some((s, d)), Some(&to)) = (x, map.get(g)) {
                self.resize(to as usize + 1);
                match &mut self.v[to as usize] {
                    None => self.v[to as usize] = Some((s, d)),
                    Some((mine, _)) => {
                        mine.extend_from_slice(&d);
                        mine.extend_from_slice(&s);
                    }
                }
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        Ok(match self.v.get(g) {
            Some(Some((s, _))) => bytes_value(s.clone(), &self.ty),
            _ => Value::Null,
        })
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

struct ArrayAgg {
    elem: DataType,
    v: Vec<Option<Vec<Value>>>,
}

impl Accumulator for ArrayAgg {
    fn resize(&mut self, groups: usize) {
        if self.v.len() < groups {
            self.v.resize(groups, None);
        }
    }

    fn update(&mut self, groups: &[u32], args: &[Vector]) -> Result<()> {
        self.resize(needed(groups));
        let a = &args[0];
        for (i, &g) in groups.iter().enumerate() {
            self.v[g as usize].get_or_insert_with(Vec::new).push(a.value(i));
        }
        Ok(())
    }

    fn merge(&mut self, o: &mut dyn Accumulator, map: &[u32]) -> Result<()> {
        let o = other::<ArrayAgg>(o)?;
        for (g, x) in o.v.drain(..).enumerate() {
            if let (Some(items), Some(&to)) = (x, map.get(g)) {
                self.resize(to as usize + 1);
                self.v[to as usize].get_or_insert_with(Vec::new).extend(items);
            }
        }
        Ok(())
    }

    fn value(&self, g: usize) -> Result<Value> {
        Ok(match self.v.get(g) {
            Some(Some(items)) => array_value(self.elem.clone(), items.clone()),
            _ => Value::Null,
        })
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Registers `string_agg` and `array_agg`.
pub(crate) fn register(r: &mut Registry) {
    for ty in [t::TEXT, t::BYTEA] {
        let tt = ty.clone();
        reg(
            r,
            "string_agg",
            Signature::exact(&[ty.clone(), ty.clone()], ty),
            move |_| {
                Ok(Box::new(StringAgg {
                    ty: tt.clone(),
                    v: Vec::new(),
                }))
            },
        );
    }
    reg(
        r,
        "array_agg",
        Signature::new(vec![ArgType::AnyElement], ReturnType::ArrayOfElement),
        |spec| {
            Ok(Box::new(ArrayAgg {
                elem: spec.arg_types.first().cloned().unwrap_or(DataType::Text),
                v: Vec::new(),
            }))
        },
    );
}
