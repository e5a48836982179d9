//! The files this crate reads and writes: manifests, secret files, saved plans. They arrive
//! by pull request and from mounted volumes, and may be anything a path can name.
//!
//! Reading takes regular files only, of a bounded size: a FIFO would hang the reader (and
//! with it `plan`, `apply` and `Toolbox::from_manifest`), `/dev/zero` would fill memory, and
//! a 200 MB file would become a token. Symbolic links are followed, as mounted secrets
//! (Kubernetes') are links to regular files; what is read must be a regular file once they
//! are resolved. The type is checked on the file as opened (`fstat`), so a path swapped
//! between a check and the read changes nothing; a FIFO is opened without blocking.
//!
//! Writing replaces a file whole or not at all: a temporary file created exclusively, with
//! a random name, in the same directory (so a planted file or link is never followed), mode
//! 0600 (or that of the file it replaces), written, synced, then renamed over the target.
//! It is removed on every failure, and when the writing future is dropped.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// The largest secret file read: 64 KiB, far above any token or key, far below harm.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// The largest manifest or saved plan read: 16 MiB, some 40,000 connectors.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

/// The text of the regular file at `path`, at most `cap` bytes of UTF-8.
///
/// # Errors
///
/// When the file cannot be opened, is not a regular file once links are resolved (a FIFO, a
/// directory, a device), is larger than `cap`, or is not UTF-8. The errors name the problem,
/// never the contents.
pub(crate) fn read_text(path: &Path, cap: u64) -> io::Result<String> {
    // Refused before opening, so that a device is not even opened (opening some has effects);
    // checked again below on what was opened, which is what counts.
    if let Ok(metadata) = std::fs::metadata(path) {
        require_regular(&metadata)?;
    }
    let file = open_without_blocking(path)?;
    let metadata = file.metadata()?;
    require_regular(&metadata)?;
    if metadata.len() > cap {
        return Err(too_large(cap));
    }
    // The length can change after the check (a file still being written): read one byte more
    // than allowed to tell.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(too_large(cap));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    // O_NOCTTY: a terminal device named as a secret file never becomes ours.
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

fn require_regular(metadata: &std::fs::Metadata) -> io::Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    let (kind, what) = if metadata.is_dir() {
        (io::ErrorKind::IsADirectory, "a directory")
    } else {
        (io::ErrorKind::InvalidInput, special_kind(metadata))
    };
    Err(io::Error::new(
        kind,
        format!("it is {what}, not a regular file"),
    ))
}

#[cfg(unix)]
fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("it is larger than {} KiB", cap / 1024),
    )
}

/// A file being replaced: write to [`file`](Self::file), then [`commit`](Self::commit).
/// Dropped before the commit (an error, a cancelled future), it leaves the target as it was
/// and removes the temporary file.
pub(crate) struct Replacement {
    temporary: NamedTempFile,
    target: PathBuf,
}

impl Replacement {
    /// Starts replacing `target`: a temporary file beside it, with its mode when it is a
    /// regular file (not followed when it is a link: the link itself is replaced), 0600
    /// otherwise.
    pub(crate) fn begin(target: &Path) -> io::Result<Self> {
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
        let directory = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        // tempfile creates it with O_EXCL and mode 0600, under a random name.
        let temporary = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(directory)?;
        if let Ok(existing) = std::fs::symlink_metadata(target)
            && existing.is_file()
        {
            temporary
                .as_file()
                .set_permissions(existing.permissions())?;
        }
        Ok(Self {
            temporary,
            target: target.to_owned(),
        })
    }

    /// The temporary file, to write to.
    pub(crate) fn file(&mut self) -> &mut File {
        self.temporary.as_file_mut()
    }

    /// Syncs the temporary file and renames it over the target.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        self.temporary.as_file_mut().flush()?;
        self.temporary.as_file().sync_all()?;
        self.temporary
            .persist(&self.target)
            .map_err(|error| error.error)?;
        sync_directory(&self.target);
        Ok(())
    }
}

/// Makes the rename itself durable. Best effort: the file is in place either way, and some
/// systems cannot open a directory.
fn sync_directory(target: &Path) {
    #[cfg(unix)]
    if let Some(directory) = target.parent() {
        let directory = if directory.as_os_str().is_empty() {
            Path::new(".")
        } else {
            directory
        };
        if let Ok(handle) = File::open(directory) {
            let _ = handle.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

/// Writes `bytes` to `path` as a [`Replacement`]: whole or not at all, 0600 or the mode of the
/// file it replaces.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut replacement = Replacement::begin(path)?;
    replacement.file().write_all(bytes)?;
    replacement.commit()
}
