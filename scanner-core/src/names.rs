//! Substring search for entry names.
//!
//! Every central-directory name of every archive passes through a few
//! substring tests. `str::find` / `str::contains` with a `&str` needle
//! build a Two-Way searcher on each call, which on names of a few dozen
//! bytes costs more than the search: it was the largest item in a profile
//! of a 20,000-entry fat jar. Scanning for the needle's first byte and
//! comparing from there is cheaper at these lengths.

/// Byte offset of the first `needle` in `hay`, as `hay.find(needle)`.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else { return Some(0) };
    let last = h.len().checked_sub(n.len())?;
    let mut from = 0;
    while from <= last {
        let at = from + h[from..=last].iter().position(|&b| b == first)?;
        if &h[at..at + n.len()] == n {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `hay.contains(needle)`.
pub(crate) fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_str_find() {
        let hays = ["", "a", "org/apache/log4j/Logger", "x/org/apache/log4j/", "orgorg/apache/log4j/", "é/org/apache/log4j/é", "ch/qos/logback/classic/"];
        let needles = ["", "o", "org/apache/log4j/", "ch/qos/logback/", "é/", "/__MACOSX/", "g/"];
        for h in hays {
            for n in needles {
                assert_eq!(find(h, n), h.find(n), "{h:?} {n:?}");
                assert_eq!(contains(h, n), h.contains(n));
            }
        }
    }
}
