//! sled 0.34 engine: one tree with prefixed keys and `apply_batch` (atomic per tree; STACK.md
//! measured it far cheaper than multi-tree transactions), made durable by flush + fdatasync of
//! sled's data file in a group commit (sled's flush alone only issues sync_file_range).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Batch, Entry, GroupCommit, Store, StoreError};

/// The sled-backed [`Store`].
#[derive(Debug)]
pub struct SledStore {
    db: sled::Db,
    data_file: File,
    dir: PathBuf,
    group: GroupCommit,
    flushes: AtomicU64,
}

fn engine(e: impl std::fmt::Display) -> StoreError {
    StoreError::Engine(e.to_string())
}

impl SledStore {
    /// Opens (creating) the store in `dir`; a directory held by another process is refused with
    /// [`StoreError::InGebruik`] (sled takes an exclusive file lock).
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(engine)?;
        let db = sled::Config::new().path(dir).open().map_err(|e| match &e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("lock") =>
            {
                StoreError::InGebruik(dir.display().to_string())
            }
            _ => engine(e),
        })?;
        let data_file = File::open(dir.join("db")).map_err(engine)?;
        // The data file's directory entry must survive power loss too (created on first open).
        File::open(dir).and_then(|d| d.sync_all()).map_err(engine)?;
        Ok(SledStore {
            db,
            data_file,
            dir: dir.to_path_buf(),
            group: GroupCommit::new(),
            flushes: AtomicU64::new(0),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn physical_flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(engine)?;
        self.data_file.sync_data().map_err(engine)?;
        self.flushes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn collect(iter: sled::Iter, limit: usize) -> Result<Vec<Entry>, StoreError> {
    let mut out = Vec::new();
    for item in iter.take(limit) {
        let (k, v) = item.map_err(engine)?;
        out.push((k.to_vec(), v.to_vec()));
    }
    Ok(out)
}

impl Store for SledStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get(key).map_err(engine)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        collect(self.db.scan_prefix(prefix), usize::MAX)
    }

    fn scan_after(
        &self,
        prefix: &[u8],
        after: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        use std::ops::Bound;
        let iter = self
            .db
            .range::<&[u8], _>((Bound::Excluded(after), Bound::Unbounded));
        let mut out = Vec::new();
        for item in iter {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(engine)?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<Entry>, StoreError> {
        match self.db.scan_prefix(prefix).next_back() {
            Some(item) => {
                let (k, v) = item.map_err(engine)?;
                Ok(Some((k.to_vec(), v.to_vec())))
            }
            None => Ok(None),
        }
    }

    fn apply(&self, batch: Batch) -> Result<(), StoreError> {
        let mut b = sled::Batch::default();
        for (k, v) in batch.ops {
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        self.db.apply_batch(b).map_err(engine)
    }

    fn make_durable(&self) -> Result<(), StoreError> {
        self.group.wait_durable(|| self.physical_flush())
    }

    fn next_id(&self) -> Result<u64, StoreError> {
        // sled starts at 0; ids start at 1 so cursor 0 means "from the beginning".
        Ok(self.db.generate_id().map_err(engine)? + 1)
    }

    fn flush_count(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_scan_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = SledStore::open(dir.path()).unwrap();
            let mut b = Batch::default();
            b.put(b"a\0x\x001".to_vec(), b"1".to_vec());
            b.put(b"a\0x\x002".to_vec(), b"2".to_vec());
            b.put(b"a\0y".to_vec(), b"3".to_vec());
            s.apply(b).unwrap();
            s.make_durable().unwrap();
            assert_eq!(s.flush_count(), 1);
            assert_eq!(s.scan_prefix(b"a\0x\0").unwrap().len(), 2);
            assert_eq!(s.last_with_prefix(b"a\0x\0").unwrap().unwrap().1, b"2");
            assert_eq!(s.scan_after(b"a\0x\0", b"a\0x\x001", 10).unwrap().len(), 1);
            let mut d = Batch::default();
            d.delete(b"a\0y".to_vec());
            s.apply(d).unwrap();
            s.make_durable().unwrap();
            let id1 = s.next_id().unwrap();
            assert!(s.next_id().unwrap() > id1);
        }
        let s = SledStore::open(dir.path()).unwrap();
        assert_eq!(s.get(b"a\0x\x001").unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(s.get(b"a\0y").unwrap(), None);
    }
}
