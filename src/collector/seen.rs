//! The events a collection kept, to drop duplicate deliveries (the same event in two log objects), with where
//! each was read: of the copies of an event, every one but the earliest in input order (file name, then
//! record) is reported as the duplicate, whatever order parallel workers read the files in.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Where an event was read: file id and record number (a CloudTrail object holds far fewer than 2^32
/// records), 8 bytes.
type At = (u32, u32);
type Events = HashMap<Key, At, BuildHasherDefault<Folded>>;

/// An event's key as two words: a `u128` would align each entry to 16 bytes, a third more per event.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key(u64, u64);

impl From<u128> for Key {
    fn from(key: u128) -> Key {
        Key((key >> 64) as u64, key as u64)
    }
}

impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0 ^ self.1);
    }
}

/// Event keys are hashes already: the map folds their halves instead of hashing them again.
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

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

/// Locks are per shard of the keys, so workers that keep events at the same time rarely wait on each other
/// (a fleet keeps every record: one lock was contended a million times).
const SHARDS: usize = 16;

pub struct Seen {
    /// Tells one `Seen` from another in the workers' file caches.
    id: u64,
    shards: [Mutex<Events>; SHARDS],
    files: Mutex<Files>,
}

impl Default for Seen {
    fn default() -> Seen {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Seen {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            shards: Default::default(),
            files: Mutex::default(),
        }
    }
}

/// The files events were read from, each named once.
#[derive(Default, Clone)]
struct Files {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Files {
    fn id(&mut self, file: &str) -> u32 {
        if let Some(&id) = self.ids.get(file) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let name: Arc<str> = Arc::from(file);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    fn place(&self, (file, record): At) -> (&str, u32) {
        (self.names.get(file as usize).map_or("", |f| f), record)
    }
}

thread_local! {
    /// The file a worker last kept an event of, and its id: a worker keeps the events of one object in a
    /// row, so the file's name is looked up once per object, not once per event.
    static LAST_FILE: RefCell<Option<(u64, Arc<str>, u32)>> = const { RefCell::new(None) };
}

impl Seen {
    fn file_id(&self, file: &str) -> u32 {
        let cached = LAST_FILE.with(|last| match &*last.borrow() {
            Some((seen, name, id)) if *seen == self.id && **name == *file => Some(*id),
            _ => None,
        });
        if let Some(id) = cached {
            return id;
        }
        let Ok(mut files) = self.files.lock() else {
            return u32::MAX;
        };
        let id = files.id(file);
        let name = files.names.get(id as usize).cloned();
        drop(files);
        if let Some(name) = name {
            LAST_FILE.with(|last| *last.borrow_mut() = Some((self.id, name, id)));
        }
        id
    }

    fn shard(&self, key: Key) -> &Mutex<Events> {
        &self.shards[(key.0 >> 60) as usize % SHARDS]
    }

    /// Notes an event kept at `file`, record `record`; for a copy of one noted before, the location of the
    /// later copy in input order (which is reported as the duplicate).
    pub fn see(&self, key: u128, file: &str, record: usize) -> Option<(String, usize)> {
        let here = (
            self.file_id(file),
            u32::try_from(record).unwrap_or(u32::MAX),
        );
        self.note(Key::from(key), here)
    }

    /// Keeps `key` at the earlier of `here` and the place noted before; the later one, if any.
    fn note(&self, key: Key, here: At) -> Option<(String, usize)> {
        let Ok(mut events) = self.shard(key).lock() else {
            return None;
        };
        let kept = match events.entry(key) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(here);
                return None;
            }
            std::collections::hash_map::Entry::Occupied(slot) => slot.into_mut(),
        };
        // Copies are rare: only then are the file names compared.
        let files = self.files.lock().ok()?;
        let (earlier, later) = if files.place(here) < files.place(*kept) {
            (here, *kept)
        } else {
            (*kept, here)
        };
        *kept = earlier;
        let (file, record) = files.place(later);
        Some((file.to_string(), record as usize))
    }

    /// Adds the events `other` kept, each at the earlier of its two places (in input order).
    pub fn absorb(&self, other: Seen) {
        let theirs = other.files.into_inner().unwrap_or_default();
        for shard in other.shards {
            for (key, at) in shard.into_inner().unwrap_or_default() {
                let (file, record) = theirs.place(at);
                self.note(key, (self.file_id(file), record));
            }
        }
    }

    /// Forgets the events read from the files `gone` names.
    pub fn forget_files(&self, gone: &std::collections::BTreeSet<String>) {
        let Ok(files) = self.files.lock() else {
            return;
        };
        let ids: std::collections::HashSet<u32> = gone
            .iter()
            .filter_map(|name| files.ids.get(name.as_str()).copied())
            .collect();
        drop(files);
        for shard in &self.shards {
            if let Ok(mut events) = shard.lock() {
                events.retain(|_, (file, _)| !ids.contains(file));
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().map_or(0, |events| events.len()))
            .sum()
    }
}

/// A copy to go on from apart (an index update's events before a batch, to read the batch again with more).
/// It names its files itself, so it is another `Seen` to the workers' file caches.
impl Clone for Seen {
    fn clone(&self) -> Seen {
        let copy = Seen::default();
        for (mine, theirs) in copy.shards.iter().zip(&self.shards) {
            if let (Ok(mut mine), Ok(theirs)) = (mine.lock(), theirs.lock()) {
                mine.clone_from(&theirs);
            }
        }
        if let (Ok(mut mine), Ok(theirs)) = (copy.files.lock(), self.files.lock()) {
            mine.clone_from(&theirs);
        }
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker's cached file belongs to one `Seen`: another one interleaved on the same thread names its
    /// files itself.
    #[test]
    fn two_sets_on_one_thread_keep_their_own_file_names() {
        let (a, b) = (Seen::default(), Seen::default());
        assert_eq!(a.see(1, "z.json", 5), None);
        assert_eq!(b.see(2, "a.json", 1), None);
        assert_eq!(b.see(3, "z.json", 2), None);
        assert_eq!(a.see(1, "z.json", 3), Some(("z.json".to_string(), 5)));
        assert_eq!(a.see(1, "z.json", 4), Some(("z.json".to_string(), 4)));
        assert_eq!(b.see(3, "a.json", 0), Some(("z.json".to_string(), 2)));
    }

    /// Workers keeping events at once: every copy after the first is found, whichever shard holds it.
    #[test]
    fn parallel_workers_find_every_copy() {
        let seen = Seen::default();
        let found: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|worker| {
                    let seen = &seen;
                    scope.spawn(move || {
                        let file = format!("{worker}.json");
                        (0..2000u128)
                            .filter(|&key| seen.see(key << 100 | key, &file, 0).is_some())
                            .count()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
        });
        assert_eq!(found, 3 * 2000);
        assert_eq!(seen.len(), 2000);
    }

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

    /// An index update goes on from the events of earlier batches, and of earlier updates read again:
    /// whatever order they come in, each event is kept at its earliest copy, and a copy taken before a batch
    /// is read again is not changed by that read.
    #[test]
    fn absorbed_and_copied_sets_keep_each_event_at_its_earliest_copy() {
        let earlier = Seen::default();
        assert_eq!(earlier.see(1, "b.json", 3), None);
        assert_eq!(earlier.see(2, "a.json", 9), None);
        let before = earlier.clone();
        assert_eq!(earlier.see(3, "c.json", 0), None);
        assert_eq!((before.len(), earlier.len()), (2, 3));

        let again = Seen::default();
        assert_eq!(again.see(1, "a.json", 7), None);
        assert_eq!(again.see(2, "b.json", 0), None);
        assert_eq!(again.see(4, "d.json", 1), None);
        before.absorb(again);
        assert_eq!(before.len(), 3);
        // Event 1's earliest copy is now a.json's; event 2 stays at a.json's.
        assert_eq!(before.see(1, "z.json", 0), Some(("z.json".to_string(), 0)));
        assert_eq!(before.see(1, "a.json", 8), Some(("a.json".to_string(), 8)));
        assert_eq!(
            before.see(2, "a.json", 10),
            Some(("a.json".to_string(), 10))
        );
        assert_eq!(before.see(4, "c.json", 0), Some(("d.json".to_string(), 1)));
        assert_eq!(before.see(3, "c.json", 0), None);
    }

    #[test]
    fn forgotten_files_take_their_events_along() {
        let seen = Seen::default();
        assert_eq!(seen.see(1, "a.json", 0), None);
        assert_eq!(seen.see(2, "b.json", 0), None);
        assert_eq!(seen.see(3, "b.json", 1), None);
        seen.forget_files(&["b.json".to_string(), "never.json".to_string()].into());
        assert_eq!(seen.len(), 1);
        assert_eq!(seen.see(2, "c.json", 0), None);
        assert_eq!(seen.see(1, "c.json", 0), Some(("c.json".to_string(), 0)));
    }
}
