//! Random-access byte sources. Every archive level reads through [`Src`],
//! so a nested STORED archive is just a [`Window`] onto its parent and no
//! level ever needs the whole input in memory.
use std::io::{self, Read, Seek, SeekFrom};
use std::vec::Vec;

/// Random-access bytes of known length.
///
/// Object-safe on purpose: nesting is recursive, and `Window<Window<…>>`
/// generics would give every depth its own type.
pub(crate) trait Src {
    fn len(&self) -> u64;
    /// Read up to `buf.len()` bytes at `off`; short only at the end.
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// A hint that these `(start, end)` ranges will be read soon, in this
    /// order. A reader for which every read is a round trip may fetch them
    /// together; ignoring it is always correct.
    fn prefetch(&mut self, ranges: &[(u64, u64)]) {
        let _ = ranges;
    }

    fn read_exact_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<()> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.read_at(off + done as u64, &mut buf[done..])?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end"));
            }
            done += n;
        }
        Ok(())
    }
}

/// A `Read + Seek` (a file, or the browser's `FileReaderSync` adapter).
pub(crate) struct ReaderSrc<R> {
    inner: R,
    len: u64,
    // Where the inner reader's cursor is, so sequential reads skip the seek
    // (a seek may be a syscall, or a new slice in the browser).
    pos: Option<u64>,
}

impl<R: Read + Seek> ReaderSrc<R> {
    pub(crate) fn new(inner: R, len: u64) -> Self {
        ReaderSrc { inner, len, pos: None }
    }
}

impl<R: Read + Seek> Src for ReaderSrc<R> {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        if off >= self.len {
            return Ok(0);
        }
        let want = buf.len().min((self.len - off).min(usize::MAX as u64) as usize);
        if self.pos != Some(off) {
            self.pos = None;
            self.inner.seek(SeekFrom::Start(off))?;
        }
        let n = self.inner.read(&mut buf[..want])?;
        self.pos = Some(off + n as u64);
        Ok(n)
    }
}

/// A caller's [`super::Source`], hints passed on.
pub(crate) struct PubSrc<'a>(pub(crate) &'a mut dyn super::Source);

impl Src for PubSrc<'_> {
    fn len(&self) -> u64 {
        self.0.len()
    }
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        if off >= self.0.len() {
            return Ok(0);
        }
        self.0.read_at(off, buf)
    }
    fn prefetch(&mut self, ranges: &[(u64, u64)]) {
        // The trait promises the caller's `Source` non-empty ranges inside
        // the input: cut to the end, drop what is left empty.
        let len = self.0.len();
        let fit: Vec<(u64, u64)> = ranges.iter().map(|&(a, b)| (a, b.min(len))).filter(|&(a, b)| a < b).collect();
        if !fit.is_empty() {
            self.0.prefetch(&fit);
        }
    }
}

/// Bytes in memory: the top level of `scan_bytes`, or an inflated nested
/// archive.
pub(crate) struct MemSrc<'a>(pub(crate) &'a [u8]);

impl Src for MemSrc<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        let data = self.0;
        if off >= data.len() as u64 {
            return Ok(0);
        }
        let rest = &data[off as usize..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

/// `len` bytes of `inner` starting at `start`: a STORED nested archive read
/// in place.
pub(crate) struct Window<'a> {
    pub(crate) inner: &'a mut dyn Src,
    pub(crate) start: u64,
    pub(crate) len: u64,
}

impl Src for Window<'_> {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        if off >= self.len {
            return Ok(0);
        }
        let want = buf.len().min((self.len - off).min(usize::MAX as u64) as usize);
        self.inner.read_at(self.start + off, &mut buf[..want])
    }
    fn prefetch(&mut self, ranges: &[(u64, u64)]) {
        // In the parent's coordinates, cut to this window.
        let moved: Vec<(u64, u64)> = ranges
            .iter()
            .filter(|r| r.0 < r.1 && r.0 < self.len)
            .map(|&(a, b)| (self.start + a, self.start + b.min(self.len)))
            .collect();
        if !moved.is_empty() {
            self.inner.prefetch(&moved);
        }
    }
}

/// Sequential `Read + Seek` over a range of a [`Src`], for decoders that
/// want a stream (deflate, gzip, tar).
pub(crate) struct SrcReader<'a> {
    src: &'a mut dyn Src,
    start: u64,
    end: u64,
    pos: u64,
}

impl<'a> SrcReader<'a> {
    pub(crate) fn new(src: &'a mut dyn Src, start: u64, len: u64) -> Self {
        let end = start.saturating_add(len).min(src.len());
        SrcReader { src, start, end, pos: start.min(end) }
    }
}

impl Read for SrcReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end - self.pos;
        let want = buf.len().min(left.min(usize::MAX as u64) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.src.read_at(self.pos, &mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SrcReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.end - self.start;
        let rel = self.pos - self.start;
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => rel.checked_add_signed(d),
            SeekFrom::End(d) => len.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before start"))?;
        self.pos = self.start + target.min(len);
        Ok(target.min(len))
    }
}

/// Read at most `max` bytes from the start of `src` (for magic sniffing).
pub(crate) fn head(src: &mut dyn Src, max: usize) -> io::Result<Vec<u8>> {
    let n = (src.len().min(max as u64)) as usize;
    let mut buf = std::vec![0u8; n];
    src.read_exact_at(0, &mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_of_window_reads_the_right_bytes() {
        let data: Vec<u8> = (0u8..100).collect();
        let mut mem = MemSrc(&data);
        let mut w1 = Window { inner: &mut mem, start: 10, len: 50 };
        let mut w2 = Window { inner: &mut w1, start: 5, len: 10 };
        let mut buf = [0u8; 20];
        // Only 10 bytes exist in the inner window: 15..25 of the data.
        let n = w2.read_at(0, &mut buf).unwrap();
        assert_eq!(n, 10);
        assert_eq!(&buf[..10], &data[15..25]);
        assert_eq!(w2.read_at(10, &mut buf).unwrap(), 0);
    }

    #[test]
    fn src_reader_seeks_within_its_range() {
        let data: Vec<u8> = (0u8..100).collect();
        let mut mem = MemSrc(&data);
        let mut r = SrcReader::new(&mut mem, 20, 30);
        r.seek(SeekFrom::Start(25)).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, &data[45..50]);
    }
}
