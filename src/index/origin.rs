//! Where an index reads its objects, first and again: local files, or a trail bucket by key.

use crate::collector::s3::Bucket;
use rayon::prelude::*;
use std::path::Path;

/// Objects fetched at once when many are read: bounds the memory they take.
pub const CHUNK: usize = 64;

#[derive(Clone)]
pub enum Origin {
    Files,
    Bucket(Bucket),
}

impl Origin {
    /// The bytes of each object (a file's path, or a key), in order; an error as text.
    pub async fn fetch(&self, paths: &[&Path]) -> Vec<Result<Vec<u8>, String>> {
        match self {
            Origin::Files => paths
                .par_iter()
                .map(|path| std::fs::read(path).map_err(|e| e.to_string()))
                .collect(),
            Origin::Bucket(bucket) => {
                let keys: Vec<String> = paths
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                bucket.get_all(&keys).await
            }
        }
    }

    /// How a message names an object that cannot be read: the file, or the object's URL.
    pub fn locate(&self, name: &str, path: &Path) -> String {
        match self {
            Origin::Files => path.display().to_string(),
            Origin::Bucket(_) => name.to_string(),
        }
    }
}
