//! The portal's large files compressed once, at build time, as strongly as each format allows, beside the file they
//! encode (`x.wasm.br`, `x.wasm.gz`). A server compressing on the fly picks a fast level for every response; these
//! are what the local runtime sends to a browser that accepts them, and what the README's upload to S3 serves.
//!
//! Brotli at quality 11 takes the wasm to about four fifths of `gzip -9`'s size, and zopfli writes an ordinary gzip
//! stream some 4% smaller than `gzip -9`'s for a browser without brotli. Each takes seconds, so they run only when
//! the portal was bound again (they are part of `web`'s stamp).

use std::io::Write;

/// What the compressed files depend on besides their input; part of `web`'s stamp.
pub const SETTINGS: &str = "brotli quality 11 window 22; gzip by zopfli, 15 iterations";

const BROTLI_QUALITY: i32 = 11;
/// 4 MiB, above the portal's 1.6 MB: the whole wasm is in reach of every match. The browser's decoder accepts up to
/// 16 MiB windows.
const BROTLI_WINDOW: i32 = 22;

/// `bytes` as a brotli stream.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| format!("brotli: {e}"))?;
    Ok(out)
}

/// `bytes` as a gzip stream, written by zopfli.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    zopfli::compress(zopfli::Options::default(), zopfli::Format::Gzip, bytes, &mut out)
        .map_err(|e| format!("zopfli: {e}"))?;
    out.flush().map_err(|e| format!("zopfli: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::process::{Command, Stdio};

    /// Something shaped like the wasm: repeats within reach of the window, and bytes that do not repeat.
    fn sample() -> Vec<u8> {
        let mut v = Vec::new();
        for i in 0u32..20_000 {
            v.extend_from_slice(&i.wrapping_mul(2_654_435_761).to_le_bytes());
            v.extend_from_slice(b"(call $vigil_web::h::el ");
        }
        v
    }

    #[test]
    fn brotli_decodes_to_the_input_and_is_smaller() {
        let input = sample();
        let packed = brotli(&input).unwrap();
        assert!(packed.len() < input.len() / 4, "{} of {}", packed.len(), input.len());
        let mut back = Vec::new();
        brotli::Decompressor::new(&packed[..], 4096).read_to_end(&mut back).unwrap();
        assert!(back == input, "the decoded bytes differ from the input");
    }

    /// What `gzip args` writes for `input` (fed from a thread, so a full pipe cannot stall either side).
    fn through_gzip(args: &[&str], input: Vec<u8>) -> Vec<u8> {
        let mut child = Command::new("gzip")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("gzip is on the machine (web measures with it)");
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(out.status.success(), "gzip {args:?} failed");
        out.stdout
    }

    #[test]
    fn gzip_is_read_by_gzip_and_beats_its_strongest_level() {
        let input = sample();
        let packed = gzip(&input).unwrap();
        let packed_len = packed.len();
        assert!(through_gzip(&["-d", "-c"], packed) == input, "gzip -d gave other bytes than the input");
        let nine = through_gzip(&["-9", "-c"], input).len();
        assert!(packed_len <= nine, "zopfli {packed_len}, gzip -9 {nine}");
    }
}
