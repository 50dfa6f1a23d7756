//! A set kept as a sorted vector. The usage set holds an evidence record per distinct call, each with one or
//! two entries and at most [`super::SESSIONS`] session names; as `BTreeSet`s, the first node of each (eleven
//! slots, about 900 bytes for the two) was most of the memory a large run or an index query allocates.

use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallSet<T>(Vec<T>);

impl<T> Default for SmallSet<T> {
    fn default() -> Self {
        SmallSet(Vec::new())
    }
}

impl<T: Ord> SmallSet<T> {
    pub fn new() -> Self {
        SmallSet(Vec::new())
    }

    /// Adds `item` in order; `false` when it was there.
    pub fn insert(&mut self, item: T) -> bool {
        match self.0.binary_search(&item) {
            Ok(_) => false,
            Err(at) => {
                // A few members grow one slot at a time: most sets never have a second.
                if self.0.len() == self.0.capacity() && self.0.len() < 4 {
                    self.0.reserve_exact(1);
                }
                self.0.insert(at, item);
                true
            }
        }
    }

    pub fn contains<Q>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.binary_search_by(|m| m.borrow().cmp(item)).is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.0.last()
    }

    pub fn pop_last(&mut self) -> Option<T> {
        self.0.pop()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl<T: Ord> Extend<T> for SmallSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<T: Ord> FromIterator<T> for SmallSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = SmallSet::new();
        set.extend(items);
        set
    }
}

/// Written and read as a list, as a `BTreeSet` is: indexes written before read the same.
impl<T: serde::Serialize> serde::Serialize for SmallSet<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(&self.0)
    }
}

impl<'de, T: serde::Deserialize<'de> + Ord> serde::Deserialize<'de> for SmallSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(d)?.into_iter().collect())
    }
}

impl<T> IntoIterator for SmallSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SmallSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::SmallSet;
    use std::collections::BTreeSet;

    #[test]
    fn it_holds_what_a_btree_set_holds_in_the_same_order() {
        let items = ["m", "c", "x", "c", "a", "m", "z", "b", "a"];
        let mut small = SmallSet::new();
        let mut tree = BTreeSet::new();
        for item in items {
            assert_eq!(
                small.insert(item.to_string()),
                tree.insert(item.to_string())
            );
            assert_eq!(
                small.iter().collect::<Vec<_>>(),
                tree.iter().collect::<Vec<_>>()
            );
            assert_eq!(small.last(), tree.last());
            assert_eq!(small.len(), tree.len());
        }
        assert!(small.contains("x") && !small.contains("y"));
        assert_eq!(small.pop_last(), tree.pop_last());
        let collected: SmallSet<String> = items.iter().rev().map(|s| s.to_string()).collect();
        assert_eq!(
            collected.into_iter().collect::<BTreeSet<_>>(),
            BTreeSet::from_iter(items.map(String::from))
        );
    }
}
