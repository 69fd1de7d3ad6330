//! Opening input files as byte slices: memory-mapped when large, read when small.
//!
//! Large X12 inputs are memory-mapped so that memory stays bounded by what the
//! kernel pages in, not by the file size. This is the one place in the crate
//! that uses `unsafe` (memmap2's `Mmap::map`); see the safety note there. It
//! does not parse anything.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

/// Files at least this large are memory-mapped.
const MMAP_THRESHOLD: u64 = 1 << 20;

/// The bytes of one input file.
#[derive(Debug)]
pub enum Input {
    /// Read into memory.
    Owned(Vec<u8>),
    /// Memory-mapped.
    Mapped(memmap2::Mmap),
}

impl Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Owned(v) => v,
            Input::Mapped(m) => m,
        }
    }
}

/// Opens `path` (or standard input for `-`).
pub fn open(path: &Path) -> io::Result<Input> {
    if path.as_os_str() == "-" {
        let mut v = Vec::new();
        io::stdin().lock().read_to_end(&mut v)?;
        return Ok(Input::Owned(v));
    }
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "is a directory"));
    }
    if meta.len() >= MMAP_THRESHOLD {
        return map(&file).map(Input::Mapped);
    }
    let mut v = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut v)?;
    Ok(Input::Owned(v))
}

/// Opens `path` like [`open`], but a large file is mapped without reading
/// it ahead: for a reader that goes through it once and calls
/// [`Input::release`] behind itself, so that its resident memory stays small.
pub fn open_streamed(path: &Path) -> io::Result<Input> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if path.as_os_str() == "-" || meta.is_dir() || meta.len() < MMAP_THRESHOLD {
        return open(path);
    }
    #[allow(unsafe_code)]
    // SAFETY: as in `map` (read-only, lives no longer than the command).
    let m = unsafe { memmap2::MmapOptions::new().map(&file) }?;
    // Read in order: the kernel reads ahead more.
    let _ = m.advise(memmap2::Advice::Sequential);
    Ok(Input::Mapped(m))
}

impl Input {
    /// Tells the OS the bytes before `upto` are not needed for now: their
    /// pages leave this process's resident memory (they stay in the page
    /// cache, and are read again from it if used again). Nothing for a file
    /// read into memory.
    pub fn release(&self, upto: usize) {
        if let Input::Mapped(m) = self {
            let len = upto.min(m.len()) & !4095;
            if len > 0 {
                #[allow(unsafe_code)]
                // SAFETY: the map is read-only and backed by the file: pages
                // dropped are read again from the file if touched, with the
                // same bytes (MADV_DONTNEED on a shared file mapping).
                let _ =
                    unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, len) };
            }
        }
    }

    /// [`Input::release`] for the whole pages between `from` and `to` only
    /// (a part of the file read on one thread while others read the rest).
    pub fn release_range(&self, from: usize, to: usize) {
        if let Input::Mapped(m) = self {
            let (start, end) = ((from + 4095) & !4095, to.min(m.len()) & !4095);
            if end > start {
                #[allow(unsafe_code)]
                // SAFETY: as in `release`.
                let _ = unsafe {
                    m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
                };
            }
        }
    }
}

#[allow(unsafe_code)]
fn map(file: &File) -> io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and lives no longer than the command that
    // opened it. If another process truncates the file while we read it, the
    // OS may raise SIGBUS; claimflow reads inbox files that the clearinghouse
    // transfer has finished writing, and documents that in docs/ledger.md.
    // `populate` maps every page up front (MAP_POPULATE, Linux): the whole
    // file is read anyway, and one call costs less than a page fault per
    // 64 KB (about a quarter less system time on a 600 MB file).
    unsafe { memmap2::MmapOptions::new().populate().map(file) }
}
