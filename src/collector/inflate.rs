//! Gzip inflation: libdeflate for the single-member objects CloudTrail writes (about twice zlib's speed),
//! flate2's streaming decoder for everything else (several members, damaged data, over 4 GiB).

use flate2::read::MultiGzDecoder;
use std::cell::RefCell;
use std::io::Read;

/// Decompressed input larger than this is refused: a gzip bomb must not take the machine down.
pub const MAX_INFLATED_BYTES: u64 = 4 << 30;

thread_local! {
    static DECOMPRESSOR: RefCell<libdeflater::Decompressor> = RefCell::new(libdeflater::Decompressor::new());
}

/// Inflates `gzip` into `out`. On damage, `out` keeps what could be inflated and the error says why.
pub fn gunzip(gzip: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    if fast_single_member(gzip, out) {
        return Ok(());
    }
    out.clear();
    let mut reader = MultiGzDecoder::new(gzip).take(MAX_INFLATED_BYTES);
    match reader.read_to_end(out) {
        Ok(_) if out.len() as u64 >= MAX_INFLATED_BYTES => {
            Err(format!("inflates to more than {MAX_INFLATED_BYTES} bytes"))
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// The gzip trailer holds the size and CRC-32 of the last member: when the first member inflates to exactly
/// that size and checksum, the file is that one member.
fn fast_single_member(gzip: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(trailer) = gzip.len().checked_sub(8).and_then(|at| gzip.get(at..)) else {
        return false;
    };
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]) as usize;
    // Deflate expands at most about 1032:1; a claimed size beyond that is not this member's.
    if size == 0 || size > gzip.len().saturating_mul(1032) {
        return false;
    }
    // A reused buffer keeps its bytes: only growth is zeroed, not every file.
    if out.len() < size {
        out.resize(size, 0);
    } else {
        out.truncate(size);
    }
    let inflated = DECOMPRESSOR.with(|d| d.borrow_mut().gzip_decompress(gzip, out));
    matches!(inflated, Ok(n) if n == size) && libdeflater::crc32(out) == crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("in memory");
        encoder.finish().expect("in memory")
    }

    #[test]
    fn single_and_multi_member_and_damaged() {
        let mut out = Vec::new();
        gunzip(&gz(b"hello"), &mut out).expect("valid");
        assert_eq!(out, b"hello");
        let mut two = gz(b"first ");
        two.extend(gz(b"second"));
        gunzip(&two, &mut out).expect("valid");
        assert_eq!(out, b"first second");
        let whole = gz(&b"0123456789".repeat(1000));
        let cut = &whole[..whole.len() / 2];
        assert!(gunzip(cut, &mut out).is_err());
        assert!(out.len() < 10_000);
    }
}
