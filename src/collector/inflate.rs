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
    let (inflated, result) = match inflate_into(gzip, out) {
        Ok(n) => (n, Ok(())),
        Err((n, why)) => (n, Err(why)),
    };
    out.truncate(inflated);
    result
}

/// Inflates `gzip` into the start of `buffer` and says how many bytes that is; on damage, how many were
/// inflated before it and why. A longer buffer keeps its length, so a buffer reused across objects is not
/// zeroed again for each.
pub fn inflate_into(gzip: &[u8], buffer: &mut Vec<u8>) -> Result<usize, (usize, String)> {
    if let Some(n) = fast_single_member(gzip, buffer) {
        return Ok(n);
    }
    buffer.clear();
    let mut reader = MultiGzDecoder::new(gzip).take(MAX_INFLATED_BYTES);
    match reader.read_to_end(buffer) {
        Ok(_) if buffer.len() as u64 >= MAX_INFLATED_BYTES => Err((
            buffer.len(),
            format!("inflates to more than {MAX_INFLATED_BYTES} bytes"),
        )),
        Ok(_) => Ok(buffer.len()),
        Err(e) => Err((buffer.len(), e.to_string())),
    }
}

/// The gzip trailer holds the size and CRC-32 of the last member: when the first member's data inflates to
/// exactly that size and checksum, the file is that one member. The header is skipped here and the data
/// inflated as raw deflate, so the checksum is computed once (libdeflate's gzip call would compute it too).
fn fast_single_member(gzip: &[u8], buffer: &mut Vec<u8>) -> Option<usize> {
    let start = deflate_start(gzip)?;
    let (data, trailer) = gzip.split_at(gzip.len() - 8);
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]) as usize;
    // Deflate expands at most about 1032:1; a claimed size beyond that is not this member's.
    if size == 0 || size > gzip.len().saturating_mul(1032) {
        return None;
    }
    if buffer.len() < size {
        buffer.resize(size, 0);
    }
    let out = &mut buffer[..size];
    let inflated = DECOMPRESSOR.with(|d| d.borrow_mut().deflate_decompress(&data[start..], out));
    (matches!(inflated, Ok(n) if n == size) && libdeflater::crc32(out) == crc).then_some(size)
}

/// Where the deflate data of a gzip member starts (RFC 1952, 2.3), leaving room for its 8-byte trailer;
/// `None` for a header that is not gzip's or that sets reserved flags.
fn deflate_start(gzip: &[u8]) -> Option<usize> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    let [0x1f, 0x8b, 8, flags, ..] = *gzip else {
        return None;
    };
    if flags & 0xe0 != 0 {
        return None;
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let extra = gzip.get(at..at + 2)?;
        at += 2 + usize::from(u16::from_le_bytes([extra[0], extra[1]]));
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            at += gzip.get(at..)?.iter().position(|b| *b == 0)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    (at + 8 <= gzip.len()).then_some(at)
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

    #[test]
    fn optional_header_fields_are_skipped() {
        let mut encoder = flate2::GzBuilder::new()
            .filename("log.json")
            .comment("from a test")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"{\"Records\":[]}").expect("in memory");
        let gzip = encoder.finish().expect("in memory");
        let mut out = vec![7; 100];
        assert_eq!(fast_single_member(&gzip, &mut out), Some(14));
        assert_eq!(&out[..14], b"{\"Records\":[]}");
        assert_eq!(out.len(), 100, "a longer buffer keeps its length");
        assert!(deflate_start(&gzip[..12]).is_none());
        let mut reserved = gzip.clone();
        reserved[3] |= 0x80;
        assert_eq!(fast_single_member(&reserved, &mut out), None);
    }
}
