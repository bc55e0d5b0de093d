//! Release versions of the Log4j family, ordered as the projects release
//! them: `2.0-beta9 < 2.0-rc1 < 2.0 < 2.0.1 < 2.3.1 < 2.12.2 < 2.15.0`.
//!
//! This file uses `core` only, because `build.rs` includes it too: the
//! tables are validated and sorted with the same ordering the engine uses.
use core::cmp::Ordering;
use core::fmt;

/// A pre-release qualifier. A release without one sorts after all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pre {
    /// `-alpha<n>`
    Alpha(u16),
    /// `-beta<n>`
    Beta(u16),
    /// `-rc<n>`
    Rc(u16),
    /// A final release.
    Final,
}

/// A dotted version with up to four numeric parts and an optional
/// pre-release qualifier. `2.0` and `2.0.0` compare equal, which is what
/// Maven does as well; the original spelling is not kept, so display
/// writes the parts that were given.
#[derive(Debug, Clone, Copy, Eq)]
pub struct Version {
    parts: [u16; 4],
    len: u8,
    pre: Pre,
}

impl Version {
    /// Build a version from its parts (used by the generated tables).
    pub const fn new(parts: [u16; 4], len: u8, pre: Pre) -> Self {
        Version { parts, len, pre }
    }

    /// Parse `2.17.1`, `2.0-beta9`, `2.0-rc1`, `1.2.18.3`, `1.3.0-alpha10`.
    /// Anything else (a suffix like `-debian`, `-SNAPSHOT`, letters in a
    /// part, more than four parts) is `None`: an unknown version is better
    /// than a wrongly ordered one.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let (nums, qual) = match s.find('-') {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let mut parts = [0u16; 4];
        let mut len = 0u8;
        for piece in nums.split('.') {
            if len as usize == parts.len() || piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            parts[len as usize] = piece.parse().ok()?;
            len += 1;
        }
        let pre = match qual {
            None => Pre::Final,
            Some(q) => {
                let (kind, n): (fn(u16) -> Pre, &str) = if let Some(n) = q.strip_prefix("alpha") {
                    (Pre::Alpha, n)
                } else if let Some(n) = q.strip_prefix("beta") {
                    (Pre::Beta, n)
                } else if let Some(n) = q.strip_prefix("rc") {
                    (Pre::Rc, n)
                } else {
                    return None;
                };
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                kind(n.parse().ok()?)
            }
        };
        Some(Version { parts, len, pre })
    }

    /// The numeric parts as given.
    pub fn parts(&self) -> &[u16] {
        &self.parts[..self.len as usize]
    }

    /// The pre-release qualifier.
    pub fn pre(&self) -> Pre {
        self.pre
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

// Hash what equality compares (`len` is only for display), so that `2.0` and
// `2.0.0` hash alike.
impl core::hash::Hash for Version {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.parts.hash(state);
        self.pre.hash(state);
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // Missing parts are zeros, so `parts` compares directly.
        self.parts.cmp(&other.parts).then(self.pre.cmp(&other.pre))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.parts().iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        match self.pre {
            Pre::Alpha(n) => write!(f, "-alpha{n}"),
            Pre::Beta(n) => write!(f, "-beta{n}"),
            Pre::Rc(n) => write!(f, "-rc{n}"),
            Pre::Final => Ok(()),
        }
    }
}
