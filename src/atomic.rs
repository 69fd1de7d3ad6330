//! Output files that appear whole or not at all.
//!
//! An [`AtomicFile`] is a temp file in the destination's folder (so the final
//! rename cannot cross file systems), created mode 0600. `commit` flushes,
//! fsyncs the file, renames it over the destination and fsyncs the folder, so
//! after a crash the destination holds either its old content or the new
//! content, never a part. Dropping an uncommitted file removes the temp file.
//! This module does not decide names or content.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; see the module docs.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    dest: PathBuf,
    out: BufWriter<tempfile::NamedTempFile>,
    /// Synced by [`AtomicFile::sync`] and not written since.
    synced: bool,
}

impl AtomicFile {
    /// Starts writing `dest` (its folder must exist).
    pub(crate) fn create(dest: &Path) -> io::Result<AtomicFile> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // tempfile creates the file with mode 0600 on Unix.
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, tmp),
            synced: false,
        })
    }

    /// The temp file's path (to re-read what was written before committing;
    /// flush first).
    pub(crate) fn temp_path(&self) -> &Path {
        self.out.get_ref().path()
    }

    /// Flushes and fsyncs the temp file, still under its temp name: a
    /// caller can have the file's data reach the disk while it does other
    /// work, and `commit` then only renames (unless more was written since).
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().as_file().sync_all()?;
        self.synced = true;
        Ok(())
    }

    /// Flushes, fsyncs (unless synced since the last write), renames into
    /// place and fsyncs the folder.
    pub(crate) fn commit(self) -> io::Result<()> {
        let dest = self.rename()?;
        sync_dir(&dest);
        Ok(())
    }

    /// [`AtomicFile::commit`] without the folder's fsync; returns the
    /// destination.
    fn rename(self) -> io::Result<PathBuf> {
        let tmp = self.out.into_inner().map_err(|e| e.into_error())?;
        if !self.synced {
            tmp.as_file().sync_all()?;
        }
        tmp.persist(&self.dest).map_err(|e| e.error)?;
        Ok(self.dest)
    }
}

/// Commits `files` in order, as [`AtomicFile::commit`] does each, with
/// each folder synced once after the renames into it. Stops at the first
/// error: the files after it stay uncommitted (their temp files removed).
pub(crate) fn commit_all(files: impl IntoIterator<Item = AtomicFile>) -> io::Result<()> {
    let mut dests: Vec<PathBuf> = Vec::new();
    let mut failed = None;
    for f in files {
        if failed.is_some() {
            continue;
        }
        match f.rename() {
            Ok(d) => dests.push(d),
            Err(e) => failed = Some(e),
        }
    }
    // The renames done are made durable even when a later one failed.
    let mut synced: Vec<&Path> = Vec::new();
    for d in &dests {
        let dir = d.parent().unwrap_or(Path::new(""));
        if !synced.contains(&dir) {
            sync_dir(d);
            synced.push(dir);
        }
    }
    failed.map_or(Ok(()), Err)
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.synced = false;
        self.out.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.synced = false;
        self.out.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes `bytes` to `dest` atomically (see [`AtomicFile`]).
pub(crate) fn write(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Fsyncs the folder holding `path`, so a rename into it is durable.
/// (Best effort: not every platform can open a folder.)
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_whole_file_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.x12");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"ISA").unwrap();
        assert!(!dest.exists(), "nothing visible before commit");
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"ISA");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn files_committed_together_are_all_in_place_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let names = ["a.csv", "b.csv", "c.csv"];
        let mut files = Vec::new();
        for n in names {
            let mut f = AtomicFile::create(&dir.path().join(n)).unwrap();
            f.write_all(n.as_bytes()).unwrap();
            files.push(f);
        }
        files[1].sync().unwrap();
        assert!(names.iter().all(|n| !dir.path().join(n).exists()));
        commit_all(files).unwrap();
        for n in names {
            assert_eq!(std::fs::read(dir.path().join(n)).unwrap(), n.as_bytes());
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), names.len(), "no temp file left");
    }

    #[test]
    fn a_file_synced_early_is_still_whole_and_only_visible_once_committed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.x12");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"ISA").unwrap();
        f.sync().unwrap();
        assert!(!dest.exists(), "a sync does not put the file in place");
        // Written after the sync: committed too.
        f.write_all(b"IEA").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"ISAIEA");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"GS").unwrap();
        f.sync().unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"GS");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left");
    }

    #[test]
    fn dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.x12");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"partial").unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
