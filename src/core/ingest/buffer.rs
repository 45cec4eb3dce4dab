//! The flat buffers a column travels in between threads: plain vectors
//! of one element type, which a browser moves as typed arrays.

use serde::{Deserialize, Serialize};

/// One flat part of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Buffer {
    Bytes(Vec<u8>),
    U32(Vec<u32>),
    I64(Vec<i64>),
    F64(Vec<f64>),
}

impl Buffer {
    /// Yes/no values as one byte each: 0 no, 1 yes, 2 missing.
    pub fn yes_no(values: &[Option<bool>]) -> Buffer {
        Buffer::Bytes(
            values
                .iter()
                .map(|b| match b {
                    Some(false) => 0,
                    Some(true) => 1,
                    None => 2,
                })
                .collect(),
        )
    }

    /// Bytes held.
    pub fn byte_len(&self) -> usize {
        match self {
            Buffer::Bytes(v) => v.len(),
            Buffer::U32(v) => v.len() * 4,
            Buffer::I64(v) => v.len() * 8,
            Buffer::F64(v) => v.len() * 8,
        }
    }
}

/// What a buffer must be, by position: the receiver makes each one of this
/// kind and length before filling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BufferKind {
    Bytes,
    U32,
    I64,
    F64,
}
