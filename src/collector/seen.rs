//! The events a collection kept, to drop duplicate deliveries (the same event in two log objects), with where
//! each was read: of the copies of an event, every one but the earliest in input order (file name, then
//! record) is reported as the duplicate, whatever order parallel workers read the files in.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

type At = (u32, usize);
type Events = HashMap<u128, At, BuildHasherDefault<Folded>>;

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

    fn write_u128(&mut self, key: u128) {
        self.0 = (key as u64) ^ ((key >> 64) as u64);
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
#[derive(Default)]
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

    fn place(&self, (file, record): At) -> (&str, usize) {
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

    fn shard(&self, key: u128) -> &Mutex<Events> {
        &self.shards[(key >> 124) as usize % SHARDS]
    }

    /// Notes an event kept at `file`, record `record`; for a copy of one noted before, the location of the
    /// later copy in input order (which is reported as the duplicate).
    pub fn see(&self, key: u128, file: &str, record: usize) -> Option<(String, usize)> {
        let here = (self.file_id(file), record);
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
        Some((file.to_string(), record))
    }

    pub fn extend(&self, events: HashMap<u128, (String, usize)>) {
        for (key, (file, record)) in events {
            let here = (self.file_id(&file), record);
            let (Ok(mut shard), Ok(files)) = (self.shard(key).lock(), self.files.lock()) else {
                return;
            };
            let earliest = match shard.get(&key) {
                Some(&kept) if files.place(kept) <= files.place(here) => kept,
                _ => here,
            };
            shard.insert(key, earliest);
        }
    }

    pub fn into_events(self) -> HashMap<u128, (String, usize)> {
        let files = self.files.into_inner().unwrap_or_default();
        self.shards
            .into_iter()
            .flat_map(|shard| shard.into_inner().unwrap_or_default())
            .map(|(key, at)| {
                let (file, record) = files.place(at);
                (key, (file.to_string(), record))
            })
            .collect()
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
        assert_eq!(seen.into_events().len(), 2000);
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
}
