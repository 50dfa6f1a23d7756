//! The events a collection kept, to drop duplicate deliveries (the same event in two log objects), with where
//! each was read: of the copies of an event, every one but the earliest in input order (file name, then
//! record) is reported as the duplicate, whatever order parallel workers read the files in.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

/// Where a copy was read: a file (by its index in `files`) and the record in it.
type At = (u32, usize);

/// An event's key is a hash already (FNV-1a of its identity): its two halves folded are hash enough, where
/// SipHash took about 1% of a run.
#[derive(Default)]
struct Folded(u64);

impl Hasher for Folded {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.0 = (key as u64) ^ ((key >> 64) as u64);
    }
}

#[derive(Default)]
pub struct Seen {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Each event's key with its earliest copy so far; 16 bytes of key and 16 of place an event.
    events: HashMap<u128, At, BuildHasherDefault<Folded>>,
    files: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Inner {
    fn file_id(&mut self, file: &str) -> u32 {
        if let Some(&id) = self.ids.get(file) {
            return id;
        }
        let id = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        let name: Arc<str> = Arc::from(file);
        self.files.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    fn place(&self, (file, record): At) -> (&str, usize) {
        (self.files.get(file as usize).map_or("", |f| f), record)
    }
}

impl Seen {
    /// A copy of event `key` read at record `record` of `file`: `None` for the first copy; for another,
    /// the duplicate to report, the later in input order of this copy and the earliest one so far.
    pub fn see(&self, key: u128, file: &str, record: usize) -> Option<(String, usize)> {
        let Ok(mut inner) = self.inner.lock() else {
            return None;
        };
        let here = (inner.file_id(file), record);
        let Some(&kept) = inner.events.get(&key) else {
            inner.events.insert(key, here);
            return None;
        };
        let (earlier, later) = if inner.place(here) < inner.place(kept) {
            (here, kept)
        } else {
            (kept, here)
        };
        inner.events.insert(key, earlier);
        let (file, record) = inner.place(later);
        Some((file.to_string(), record))
    }

    /// Events read elsewhere before (the usage index's earlier updates), with where.
    pub fn extend(&self, events: HashMap<u128, (String, usize)>) {
        if let Ok(mut inner) = self.inner.lock() {
            for (key, (file, record)) in events {
                let here = (inner.file_id(&file), record);
                let earliest = match inner.events.get(&key) {
                    Some(&kept) if inner.place(kept) <= inner.place(here) => kept,
                    _ => here,
                };
                inner.events.insert(key, earliest);
            }
        }
    }

    /// Every event kept, with where its earliest copy was read: what [`Seen::extend`] takes.
    pub fn into_events(self) -> HashMap<u128, (String, usize)> {
        let inner = self.inner.into_inner().unwrap_or_default();
        inner
            .events
            .iter()
            .map(|(&key, &at)| {
                let (file, record) = inner.place(at);
                (key, (file.to_string(), record))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three copies read in any order: the two after the earliest are the duplicates.
    #[test]
    fn the_earliest_copy_is_never_the_duplicate() {
        let copies = [("b.json", 4), ("a.json", 9), ("c.json", 0)];
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for order in orders {
            let seen = Seen::default();
            let mut duplicates: Vec<(String, usize)> = order
                .iter()
                .filter_map(|&i| seen.see(7, copies[i].0, copies[i].1))
                .collect();
            duplicates.sort();
            assert_eq!(
                duplicates,
                [("b.json".to_string(), 4), ("c.json".to_string(), 0)],
                "{order:?}"
            );
        }
    }
}
