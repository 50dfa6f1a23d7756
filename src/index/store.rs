//! The index on disk: a directory of immutable segment files, each one committed update batch, written to
//! a temporary name, synced and renamed, so a segment is either all there or not there; a lock file held
//! while an update runs; `index.json` with the schema version and the source the index reads.
//!
//! ```text
//! DIR/index.json            {"schema": 3, "source": [...], "s3": {...}}: `s3` for an index of a bucket,
//!                           with the account and region prefixes its last update listed; with
//!                           "unlisted": [...], what the last update of local logs could not list
//!                           (findings every query reports), the schema is 4 (older readers refuse it)
//! DIR/lock                  held (flock) by the updating process; names it
//! DIR/segments/NNNNNNNN.seg "policygen-index\n", schema (u32 LE), table length (u64 LE), table (gzip JSON),
//!                           then one gzip JSON blob per principal: its days' states
//! DIR/spans/PERIOD.span     the same layout ("policygen-spans\n"): each principal's states of a month or a
//!                           quarter merged (`src/index/span.rs`)
//! ```

use super::state::Blob;
use super::IndexError;
use crate::collector::s3::{split_prefix, Trails};
use crate::principal::{PrincipalKey, PrincipalKind};
use crate::report::{Diagnostic, Stats};
use flate2::write::GzEncoder;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The newest schema this build reads: 2 adds indexes of a bucket (`s3` in `index.json`) and each object's
/// principal accounts, 3 the merged states of months and quarters (`spans/`), 4 findings in `index.json`
/// (`unlisted`) that a reader must report. An index of schema 1 or 2 reads as before, and its next update
/// writes its spans.
pub const SCHEMA: u32 = 4;

/// The schema of the segments and spans this build writes, and of an `index.json` without `unlisted`:
/// schema 4 is declared only while there is something an older reader would drop, so older builds keep
/// reading every other index.
pub const LAYOUT: u32 = 3;
const MAGIC: &[u8; 16] = b"policygen-index\n";

/// `None` for records whose `eventTime` cannot be placed.
pub type Day = Option<String>;

/// `index.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub schema: u32,
    /// What `policygen index` read, as given: `--logs` paths, or the bucket's URL (`--s3`).
    pub source: Vec<String>,
    /// An index of a trail bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Meta>,
    /// What the last update could not list under the `--logs` paths (a directory it may not read, a broken
    /// link), as a run over them reports it: every query reports it too, until an update lists the path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlisted: Vec<Diagnostic>,
}

/// What an index of a trail bucket keeps of it beside its objects.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct S3Meta {
    pub bucket: String,
    /// As given, without a leading `/`.
    pub prefix: String,
    /// `--account`: only these accounts' logs are read (empty: every account's).
    pub accounts: Vec<String>,
    /// The account and region prefixes the last update found, and the calls that found them: how a run
    /// over the bucket lists it.
    pub trails: Trails,
}

impl Meta {
    /// The source as given, for messages: the paths, or the URL and its `--account`s.
    pub fn describe(&self) -> String {
        let mut text = self.source.join(" ");
        if let Some(s3) = self.s3.as_ref().filter(|s3| !s3.accounts.is_empty()) {
            text.push_str(&format!(" --account {}", s3.accounts.join(" --account ")));
        }
        text
    }

    /// Whether `other` reads the same source (what an update found of a bucket aside). Local paths are
    /// compared as given (the files are named as given); a bucket by where its logs start, so that
    /// `s3://b/x`, `s3://b/x/` and `s3://b/x/AWSLogs/` are one source (objects are named by their keys).
    pub fn same_source(&self, other: &Meta) -> bool {
        match (&self.s3, &other.s3) {
            (Some(mine), Some(theirs)) => {
                mine.bucket == theirs.bucket
                    && split_prefix(&mine.prefix) == split_prefix(&theirs.prefix)
                    && mine.accounts == theirs.accounts
            }
            (None, None) => self.source == other.source,
            _ => false,
        }
    }
}

/// One object the index read: a log file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectEntry {
    /// As the decoder named it (diagnostics' locations).
    pub name: String,
    /// Where to read it again (the edge days of a window): the file, or the object's key in the bucket.
    pub path: PathBuf,
    pub size: u64,
    /// The modification time (nanoseconds) or ETag: a changed object is read again.
    pub version: String,
    /// Unreadable: reported as such, and read again by the next update.
    pub failed: bool,
    /// The object's own counters: files read, skipped or failed, bytes and records read.
    pub stats: Stats,
    /// About the whole object (invalid, not CloudTrail, a digest), not one principal's records.
    pub diagnostics: Vec<Diagnostic>,
    /// What a run finds in the object itself depends on the principal's name (a record of the wrong
    /// shape is reported only when it holds the name; records not written as CloudTrail writes them are
    /// counted differently): a query reads the object again.
    pub by_name: bool,
    /// The days of every `eventTime` in it (the review's days without logs).
    pub days: Vec<String>,
    /// The days of the principals' records in it.
    pub slots: Vec<Day>,
    /// The accounts of those principals (`None` in an index of schema 1: any account).
    #[serde(default)]
    pub accounts: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Table {
    objects: Vec<ObjectEntry>,
    /// `(account, kind, name, offset, length)` of each principal's blob, after the table.
    principals: Vec<(String, String, String, u64, u64)>,
}

/// A committed segment, its table loaded.
pub struct Segment {
    pub path: PathBuf,
    /// Its place in commit order (the file's name).
    pub number: u64,
    pub objects: Vec<ObjectEntry>,
    /// The days of its principals' records (its objects' slots).
    pub days: BTreeSet<Day>,
    pub principals: BTreeMap<PrincipalKey, (u64, u64)>,
    /// Where the blobs start.
    base: u64,
}

pub struct Store {
    pub dir: PathBuf,
    pub meta: Meta,
}

/// Held while an update runs; released when dropped or when the process dies.
pub struct Lock {
    _file: File,
}

pub(super) fn io(path: &Path) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |e| IndexError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

pub(super) fn corrupt(path: &Path, why: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt {
        path: path.display().to_string(),
        message: why.to_string(),
    }
}

impl Store {
    /// Opens an index; `None` when `dir` holds none.
    pub fn open(dir: &Path) -> Result<Option<Store>, IndexError> {
        let meta_path = dir.join("index.json");
        let text = match std::fs::read_to_string(&meta_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&meta_path)(e)),
        };
        #[derive(Deserialize)]
        struct Version {
            schema: u32,
        }
        let version: Version = serde_json::from_str(&text).map_err(|e| corrupt(&meta_path, e))?;
        if version.schema > SCHEMA {
            return Err(IndexError::NewerSchema {
                path: dir.display().to_string(),
                found: version.schema,
                known: SCHEMA,
            });
        }
        let meta: Meta = serde_json::from_str(&text).map_err(|e| corrupt(&meta_path, e))?;
        Ok(Some(Store {
            dir: dir.to_path_buf(),
            meta,
        }))
    }

    /// Creates the index (under the lock), or writes its `index.json` again: an index of a bucket records
    /// what each update found of it.
    pub fn create(dir: &Path, meta: Meta) -> Result<Store, IndexError> {
        std::fs::create_dir_all(dir.join("segments")).map_err(io(dir))?;
        let meta = Meta {
            schema: if meta.unlisted.is_empty() {
                LAYOUT
            } else {
                SCHEMA
            },
            ..meta
        };
        let text = serde_json::to_vec_pretty(&meta).map_err(|e| corrupt(dir, e))?;
        write_atomic(dir, "index.json", &text)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            meta,
        })
    }

    /// The update lock, without waiting: a second update fails naming the holder.
    pub fn lock(dir: &Path) -> Result<Lock, IndexError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        // A moment's grace: a lock just released can still be held by a child process between its fork
        // and its exec.
        let mut tries = 0;
        let locked = loop {
            match file.try_lock() {
                Err(std::fs::TryLockError::WouldBlock) if tries < 20 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other,
            }
        };
        match locked {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(IndexError::Locked {
                    path: dir.display().to_string(),
                    holder: holder.trim().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        let holder = format!(
            "`policygen index` (process {}) since {}",
            std::process::id(),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        file.set_len(0).map_err(io(&path))?;
        file.write_all(holder.as_bytes()).map_err(io(&path))?;
        Ok(Lock { _file: file })
    }

    /// The committed segments, oldest first; temporary files of an interrupted update are removed when
    /// `clean` (the caller holds the lock).
    pub fn segments(&self, clean: bool) -> Result<Vec<Segment>, IndexError> {
        let dir = self.dir.join("segments");
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".seg") {
                names.push(name);
            } else if clean && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        names.sort();
        names
            .par_iter()
            .map(|n| Segment::load(&dir.join(n)))
            .collect()
    }

    /// Commits one segment: the objects read and each principal's states by day, in key order.
    pub fn commit(
        &self,
        number: u64,
        objects: Vec<ObjectEntry>,
        states: Vec<(PrincipalKey, Blob)>,
    ) -> Result<(), IndexError> {
        // Packed on every core (most of a commit is the states' JSON and gzip), laid out in key order.
        let packed: Vec<Vec<u8>> = states
            .par_iter()
            .map(|(_, blob)| pack(&self.dir, blob))
            .collect::<Result<_, _>>()?;
        let mut blobs = Blobs::default();
        let mut principals = Vec::new();
        for ((key, _), packed) in states.iter().zip(packed) {
            let (offset, length) = blobs.push(&packed);
            let (account, kind, name) = key_row(key);
            principals.push((account, kind, name, offset, length));
        }
        let table = Table {
            objects,
            principals,
        };
        let bytes = container(MAGIC, &self.dir, &table, blobs)?;
        write_atomic(
            &self.dir.join("segments"),
            &format!("{number:08}.seg"),
            &bytes,
        )
    }
}

/// Principals' blobs, one after another, as a file's table locates them.
#[derive(Default)]
pub(super) struct Blobs(Vec<u8>);

impl Blobs {
    /// Appends one packed blob; its offset and length.
    pub(super) fn push(&mut self, packed: &[u8]) -> (u64, u64) {
        let at = (self.0.len() as u64, packed.len() as u64);
        self.0.extend_from_slice(packed);
        at
    }
}

/// A blob as files hold it: gzip JSON.
pub(super) fn pack(dir: &Path, blob: &Blob) -> Result<Vec<u8>, IndexError> {
    let json = serde_json::to_vec(blob).map_err(|e| corrupt(dir, e))?;
    Ok(gzip(&json))
}

/// A file of the index: magic, schema, the table's length, the table (gzip JSON), the blobs.
pub(super) fn container(
    magic: &[u8; 16],
    dir: &Path,
    table: &impl Serialize,
    Blobs(blobs): Blobs,
) -> Result<Vec<u8>, IndexError> {
    let table = gzip(&serde_json::to_vec(table).map_err(|e| corrupt(dir, e))?);
    let mut bytes = Vec::with_capacity(28 + table.len() + blobs.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&LAYOUT.to_le_bytes());
    bytes.extend_from_slice(&(table.len() as u64).to_le_bytes());
    bytes.extend(table);
    bytes.extend(blobs);
    Ok(bytes)
}

/// Reads a file's table from `file`; the table and where its blobs start.
pub(super) fn open_container<T: serde::de::DeserializeOwned>(
    mut file: &File,
    path: &Path,
    magic: &[u8; 16],
) -> Result<(T, u64), IndexError> {
    let mut head = [0u8; 28];
    file.read_exact(&mut head)
        .map_err(|e| corrupt(path, format!("no header: {e}")))?;
    if &head[..16] != magic {
        return Err(corrupt(path, "not a file of a policygen index"));
    }
    let schema = u32::from_le_bytes([head[16], head[17], head[18], head[19]]);
    if schema > SCHEMA {
        return Err(IndexError::NewerSchema {
            path: path.display().to_string(),
            found: schema,
            known: SCHEMA,
        });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&head[20..28]);
    let len = u64::from_le_bytes(len);
    let mut table = vec![0u8; usize::try_from(len).map_err(|e| corrupt(path, e))?];
    file.read_exact(&mut table).map_err(|e| corrupt(path, e))?;
    let table = serde_json::from_slice(&gunzip(&table).map_err(|e| corrupt(path, e))?)
        .map_err(|e| corrupt(path, e))?;
    Ok((table, 28 + len))
}

/// Reads the blob at `at` of `file`.
pub(super) fn read_blob(
    file: &File,
    path: &Path,
    at: u64,
    length: u64,
) -> Result<Blob, IndexError> {
    unpack(path, &read_packed(file, path, at, length)?)
}

/// A blob from the bytes a file of `path` holds.
pub(super) fn unpack(path: &Path, packed: &[u8]) -> Result<Blob, IndexError> {
    serde_json::from_slice(&gunzip(packed).map_err(|e| corrupt(path, e))?)
        .map_err(|e| corrupt(path, e))
}

/// The blob at `at` of `file`, as the file holds it.
pub(super) fn read_packed(
    mut file: &File,
    path: &Path,
    at: u64,
    length: u64,
) -> Result<Vec<u8>, IndexError> {
    file.seek(SeekFrom::Start(at)).map_err(io(path))?;
    let mut blob = vec![0u8; usize::try_from(length).map_err(|e| corrupt(path, e))?];
    file.read_exact(&mut blob).map_err(|e| corrupt(path, e))?;
    Ok(blob)
}

/// A principal as a file's table names it: account, kind, name.
pub(super) fn key_row(key: &PrincipalKey) -> (String, String, String) {
    (
        key.account.to_string(),
        key.kind.as_str().to_string(),
        key.name.clone(),
    )
}

pub(super) fn key_of(
    path: &Path,
    account: &str,
    kind: &str,
    name: String,
) -> Result<PrincipalKey, IndexError> {
    Ok(PrincipalKey {
        account: account.parse().map_err(|e| corrupt(path, e))?,
        kind: match kind {
            "role" => PrincipalKind::Role,
            "user" => PrincipalKind::User,
            other => return Err(corrupt(path, format!("principal kind `{other}`"))),
        },
        name,
    })
}

impl Segment {
    fn load(path: &Path) -> Result<Segment, IndexError> {
        let file = File::open(path).map_err(io(path))?;
        let (table, base): (Table, u64) = open_container(&file, path, MAGIC)?;
        let mut principals = BTreeMap::new();
        for (account, kind, name, offset, length) in table.principals {
            principals.insert(key_of(path, &account, &kind, name)?, (offset, length));
        }
        let number = path
            .file_stem()
            .and_then(|n| n.to_str()?.parse().ok())
            .ok_or_else(|| corrupt(path, "not a segment's name"))?;
        let days = table.objects.iter().flat_map(|o| o.slots.clone()).collect();
        Ok(Segment {
            path: path.to_path_buf(),
            number,
            objects: table.objects,
            days,
            principals,
            base,
        })
    }

    /// One principal's states by day.
    pub fn states(&self, key: &PrincipalKey) -> Result<Blob, IndexError> {
        let Some((offset, length)) = self.principals.get(key) else {
            return Ok(Blob::default());
        };
        let file = File::open(&self.path).map_err(io(&self.path))?;
        read_blob(&file, &self.path, self.base + offset, *length)
    }
}

/// libdeflate's level: the states compress as well as at zlib's best, several times faster (an update
/// writes its months' and quarters' states again).
const LEVEL: i32 = 6;

thread_local! {
    static COMPRESSOR: RefCell<Option<libdeflater::Compressor>> = const { RefCell::new(None) };
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let fast = COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        let level = libdeflater::CompressionLvl::new(LEVEL).ok()?;
        let c = c.get_or_insert_with(|| libdeflater::Compressor::new(level));
        let mut out = vec![0; c.gzip_compress_bound(bytes.len())];
        let n = c.gzip_compress(bytes, &mut out).ok()?;
        out.truncate(n);
        Some(out)
    });
    fast.unwrap_or_else(|| {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = encoder.write_all(bytes);
        encoder.finish().unwrap_or_default()
    })
}

/// Through the decoder's inflater (libdeflate for a single member).
fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    crate::collector::inflate::gunzip(bytes, &mut out)?;
    Ok(out)
}

/// Writes `dir/name` whole or not at all: a temporary file, synced, renamed, and the directory synced.
pub(super) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), IndexError> {
    let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
    let target = dir.join(name);
    let mut file = File::create(&tmp).map_err(io(&tmp))?;
    file.write_all(bytes).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, &target).map_err(io(&target))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Meta, S3Meta};

    fn bucket(bucket: &str, prefix: &str, accounts: &[&str]) -> Meta {
        Meta {
            schema: super::LAYOUT,
            source: vec![format!("s3://{bucket}/{prefix}")],
            s3: Some(S3Meta {
                bucket: bucket.into(),
                prefix: prefix.into(),
                accounts: accounts.iter().map(ToString::to_string).collect(),
                trails: Default::default(),
            }),
            unlisted: Vec::new(),
        }
    }

    #[test]
    fn a_bucket_is_the_same_source_however_its_prefix_is_spelled() {
        let indexed = bucket("b", "x", &[]);
        for same in ["x/", "x/AWSLogs", "x/AWSLogs/"] {
            assert!(indexed.same_source(&bucket("b", same, &[])), "{same}");
        }
        assert!(bucket("b", "", &[]).same_source(&bucket("b", "AWSLogs/", &[])));
        assert!(!indexed.same_source(&bucket("b", "y", &[])));
        assert!(!indexed.same_source(&bucket("c", "x", &[])));
        assert!(!indexed.same_source(&bucket("b", "x", &["111122223333"])));
        let logs = Meta {
            schema: super::LAYOUT,
            source: vec!["s3://b/x".into()],
            s3: None,
            unlisted: Vec::new(),
        };
        assert!(!indexed.same_source(&logs) && !logs.same_source(&indexed));
        assert!(logs.same_source(&logs.clone()));
    }
}
