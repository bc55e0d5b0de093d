//! A reader for the parts of a JVM class file the detector needs: the version,
//! the constant pool's Utf8 strings and the class's own name.
//!
//! It reads `&[u8]` only and never panics: every read is bounds-checked and a
//! hostile file ends in a [`ClassError`], not an index out of range. It stops
//! after `this_class`, since fields, methods and attributes add nothing that
//! the constant pool does not already name (method names, string literals and
//! descriptors are all Utf8 entries).
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

/// The four bytes every class file starts with.
pub const MAGIC: [u8; 4] = [0xCA, 0xFE, 0xBA, 0xBE];

/// Why a byte string is not a readable class file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClassErrorKind {
    /// The file does not start with `CAFEBABE`.
    BadMagic,
    /// The data ends inside a structure.
    Truncated,
    /// A constant-pool tag this reader does not know (a newer or corrupt file).
    UnknownTag(u8),
    /// `this_class` does not point at a Class entry naming a Utf8 string.
    BadThisClass,
}

/// A class file that could not be read, with the byte offset where reading
/// stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassError {
    /// Offset into the data.
    pub offset: usize,
    /// What was wrong there.
    pub kind: ClassErrorKind,
}

impl fmt::Display for ClassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ClassErrorKind::BadMagic => write!(f, "not a class file (no CAFEBABE magic)"),
            ClassErrorKind::Truncated => write!(f, "class file truncated at byte {}", self.offset),
            ClassErrorKind::UnknownTag(t) => write!(f, "unknown constant-pool tag {t} at byte {}", self.offset),
            ClassErrorKind::BadThisClass => write!(f, "this_class does not name a class (byte {})", self.offset),
        }
    }
}

impl core::error::Error for ClassError {}

/// What the detector learns from one class file. Borrowing from the input
/// keeps reading a class down to one small `Vec` of slices.
#[derive(Debug, Clone)]
pub struct ClassFile<'a> {
    /// Class-file major version: 50 is Java 6, 51 Java 7, 52 Java 8.
    pub major: u16,
    /// Class-file minor version.
    pub minor: u16,
    /// Internal name of the class (`org/apache/logging/log4j/core/lookup/JndiLookup`),
    /// as raw modified UTF-8.
    pub this_class: &'a [u8],
    /// Every Utf8 constant, in pool order (duplicates possible in odd files).
    pub strings: Vec<&'a [u8]>,
    /// The names of the classes the pool refers to (`CONSTANT_Class`
    /// entries, `this_class` included), in pool order.
    pub classes: Vec<&'a [u8]>,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, kind: ClassErrorKind) -> ClassError {
        ClassError { offset: self.pos, kind }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ClassError> {
        let end = self.pos.checked_add(n).ok_or(self.err(ClassErrorKind::Truncated))?;
        let bytes = self.data.get(self.pos..end).ok_or(self.err(ClassErrorKind::Truncated))?;
        self.pos = end;
        Ok(bytes)
    }

    fn u8(&mut self) -> Result<u8, ClassError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, ClassError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
}

/// One constant-pool slot, as far as this reader cares.
#[derive(Clone, Copy)]
enum Slot<'a> {
    /// Anything that is neither Utf8 nor Class, and the unusable slot after a
    /// Long or Double.
    Other,
    Utf8(&'a [u8]),
    Class(u16),
}

impl<'a> ClassFile<'a> {
    /// Read the header and constant pool of `data`.
    ///
    /// # Complexity
    /// One pass over the constant pool; memory is one slot per pool entry.
    pub fn parse(data: &'a [u8]) -> Result<Self, ClassError> {
        let mut r = Reader { data, pos: 0 };
        if r.take(4)? != MAGIC {
            return Err(ClassError { offset: 0, kind: ClassErrorKind::BadMagic });
        }
        let minor = r.u16()?;
        let major = r.u16()?;
        let count = r.u16()? as usize;
        // Index 0 is unused by the format; keeping it makes indices direct.
        // Every entry takes at least three bytes, so the data bounds how many a
        // forged count can make us reserve.
        let mut slots: Vec<Slot<'a>> = Vec::with_capacity(count.min(data.len() / 3 + 1).max(1));
        slots.push(Slot::Other);
        while slots.len() < count {
            let at = r.pos;
            let tag = r.u8()?;
            let slot = match tag {
                1 => {
                    let len = r.u16()? as usize;
                    Slot::Utf8(r.take(len)?)
                }
                7 => Slot::Class(r.u16()?),
                // Integer, Float, Fieldref, Methodref, InterfaceMethodref,
                // NameAndType, Dynamic, InvokeDynamic: four bytes.
                3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => {
                    r.take(4)?;
                    Slot::Other
                }
                // Long and Double take two slots (JVMS 4.4.5).
                5 | 6 => {
                    r.take(8)?;
                    slots.push(Slot::Other);
                    Slot::Other
                }
                // String, MethodType, Module, Package: one index.
                8 | 16 | 19 | 20 => {
                    r.take(2)?;
                    Slot::Other
                }
                15 => {
                    r.take(3)?;
                    Slot::Other
                }
                other => return Err(ClassError { offset: at, kind: ClassErrorKind::UnknownTag(other) }),
            };
            slots.push(slot);
        }
        let _access = r.u16()?;
        let this_at = r.pos;
        let this_index = r.u16()? as usize;
        let bad_this = ClassError { offset: this_at, kind: ClassErrorKind::BadThisClass };
        let this_class = match slots.get(this_index) {
            Some(Slot::Class(name)) => match slots.get(*name as usize) {
                Some(Slot::Utf8(s)) => *s,
                _ => return Err(bad_this),
            },
            _ => return Err(bad_this),
        };
        let strings = slots
            .iter()
            .filter_map(|s| match s {
                Slot::Utf8(b) => Some(*b),
                _ => None,
            })
            .collect();
        let classes = slots
            .iter()
            .filter_map(|s| match s {
                Slot::Class(i) => match slots.get(*i as usize) {
                    Some(Slot::Utf8(b)) => Some(*b),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        Ok(ClassFile { major, minor, this_class, strings, classes })
    }

    /// Whether the class refers to the class `name` (internal form) through
    /// a `CONSTANT_Class` entry: a type it uses, not just a string it holds.
    pub fn refers_to(&self, name: &[u8]) -> bool {
        self.classes.contains(&name)
    }

    /// Whether some Utf8 constant equals `needle` exactly (a method name, a
    /// property name, a message).
    pub fn has_string(&self, needle: &[u8]) -> bool {
        self.strings.contains(&needle)
    }

    /// Whether some Utf8 constant contains `needle`.
    pub fn mentions(&self, needle: &[u8]) -> bool {
        self.strings.iter().any(|s| memchr::memmem::find(s, needle).is_some())
    }
}

/// SHA-256 of the exact bytes: identifies one build of a class.
pub fn bytes_digest(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A digest that survives shading and rebuilding: SHA-256 over the sorted,
/// deduplicated Utf8 constants, each followed by a NUL, after undoing the
/// relocation `relocated → original` in both the `a/b/` and `a.b.` spellings.
///
/// Why this works: a shade plugin rewrites only names in the constant pool,
/// and a rebuild from the same source with another compiler (Debian) changes
/// the pool's order and the bytecode but, for these classes, not the set of
/// strings (checked on the corpus's `-debian` classes). Modified UTF-8 never
/// contains a zero byte, so NUL separators cannot be forged by a string.
/// `relocated` and `original` are slash forms ending in `/`; empty
/// `relocated` means no rewriting.
pub fn strings_digest(class: &ClassFile<'_>, relocated: &[u8], original: &[u8]) -> [u8; 32] {
    let mut rewritten: Vec<Vec<u8>> = class.strings.iter().map(|s| undo_relocation(s, relocated, original)).collect();
    rewritten.sort_unstable();
    rewritten.dedup();
    let mut hasher = Sha256::new();
    for s in &rewritten {
        hasher.update(s);
        hasher.update([0u8]);
    }
    hasher.finalize().into()
}

/// Replace every occurrence of `relocated` (slash form) by `original`, and
/// the same in dotted form, in one constant.
pub fn undo_relocation(s: &[u8], relocated: &[u8], original: &[u8]) -> Vec<u8> {
    if relocated.is_empty() || relocated == original {
        return s.to_vec();
    }
    let dotted_from: Vec<u8> = relocated.iter().map(|&b| if b == b'/' { b'.' } else { b }).collect();
    let dotted_to: Vec<u8> = original.iter().map(|&b| if b == b'/' { b'.' } else { b }).collect();
    let once = replace_all(s, relocated, original);
    replace_all(&once, &dotted_from, &dotted_to)
}

fn replace_all(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = memchr::memmem::find(rest, from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal class by hand: pool = [Utf8 "a/B", Class #1, Utf8 "x",
    /// Long (2 slots), Utf8 "java/lang/Object"], this_class = #2.
    fn tiny_class() -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&MAGIC);
        v.extend_from_slice(&[0, 0, 0, 52]);
        v.extend_from_slice(&7u16.to_be_bytes()); // count = entries + 1 (long takes 2)
        v.extend_from_slice(&[1, 0, 3]);
        v.extend_from_slice(b"a/B");
        v.extend_from_slice(&[7, 0, 1]);
        v.extend_from_slice(&[1, 0, 1, b'x']);
        v.extend_from_slice(&[5, 0, 0, 0, 0, 0, 0, 0, 9]);
        v.extend_from_slice(&[1, 0, 16]);
        v.extend_from_slice(b"java/lang/Object");
        v.extend_from_slice(&[0, 0x21, 0, 2]);
        v
    }

    #[test]
    fn reads_name_version_and_strings_across_a_long() {
        let data = tiny_class();
        let c = ClassFile::parse(&data).unwrap();
        assert_eq!(c.major, 52);
        assert_eq!(c.this_class, b"a/B");
        assert_eq!(c.strings, [&b"a/B"[..], b"x", b"java/lang/Object"]);
        assert!(c.has_string(b"x"));
        assert!(c.mentions(b"lang/Obj"));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let data = tiny_class();
        for cut in 0..data.len() {
            assert!(ClassFile::parse(&data[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn hostile_headers_are_rejected() {
        assert_eq!(ClassFile::parse(b"PK\x03\x04xxxxxxxx").unwrap_err().kind, ClassErrorKind::BadMagic);
        let mut data = tiny_class();
        data[10] = 99; // first tag
        assert_eq!(ClassFile::parse(&data).unwrap_err().kind, ClassErrorKind::UnknownTag(99));
        let mut data = tiny_class();
        let n = data.len();
        data[n - 1] = 1; // this_class -> a Utf8, not a Class
        assert_eq!(ClassFile::parse(&data).unwrap_err().kind, ClassErrorKind::BadThisClass);
        // A pool count far beyond the data must fail cleanly, not allocate wildly.
        let mut data = tiny_class();
        data[8] = 0xFF;
        data[9] = 0xFF;
        assert!(ClassFile::parse(&data).is_err());
    }

    #[test]
    fn relocation_is_undone_in_both_spellings() {
        let s = b"Lcom/acme/shaded/org/apache/X;com.acme.shaded.org.apache.Y";
        let out = undo_relocation(s, b"com/acme/shaded/org/", b"org/");
        assert_eq!(out, b"Lorg/apache/X;org.apache.Y");
    }

    #[test]
    fn strings_digest_ignores_order_and_duplicates() {
        let a = ClassFile { major: 52, minor: 0, this_class: b"p/A", strings: alloc::vec![&b"p/A"[..], b"m", b"m"], classes: alloc::vec![] };
        let b = ClassFile { major: 50, minor: 0, this_class: b"p/A", strings: alloc::vec![&b"m"[..], b"p/A"], classes: alloc::vec![] };
        assert_eq!(strings_digest(&a, b"", b""), strings_digest(&b, b"", b""));
        let shaded = ClassFile { major: 52, minor: 0, this_class: b"s/p/A", strings: alloc::vec![&b"s/p/A"[..], b"m"], classes: alloc::vec![] };
        assert_eq!(strings_digest(&shaded, b"s/p/", b"p/"), strings_digest(&a, b"", b""));
    }
}
