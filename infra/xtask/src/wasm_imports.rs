//! Short names for the JavaScript functions the portal imports. wasm-bindgen names each after what it wraps plus a
//! hash (`__wbg_setAttribute_8f1c…`), and writes every name twice: in the module's import section and in the glue,
//! as a key of the object the module is given. The hashes do not compress. Written as `a`, `b`, … in both files,
//! the module is 3.5 KiB smaller gzipped.

use super::wasm_names::{bytes_at, leb, put_bytes, put_leb, put_section, sections};

/// How imports are named; part of the portal stamp.
pub const NAMING: &str = "function imports as a, b, … when the glue names each once (1)";

/// One entry of an import section.
pub(super) struct Import<'a> {
    pub module: &'a [u8],
    pub name: &'a [u8],
    /// 0 function, 1 table, 2 memory, 3 global, 4 tag.
    pub kind: u8,
    /// What follows the kind: a type index, limits, a global's type.
    pub desc: &'a [u8],
}

/// The entries of an import section; None when it is cut short or holds a kind this does not know.
pub(super) fn imports(section: &[u8]) -> Option<Vec<Import<'_>>> {
    let (count, mut pos) = leb(section, 0)?;
    let mut out = Vec::with_capacity(count.min(section.len()));
    for _ in 0..count {
        let (module, p) = bytes_at(section, pos)?;
        let (name, p) = bytes_at(section, p)?;
        let kind = *section.get(p)?;
        let start = p + 1;
        let end = match kind {
            // A function: its type index.
            0 => leb(section, start)?.1,
            // A table: element type, then limits.
            1 => limits(section, start + 1)?,
            // A memory: limits.
            2 => limits(section, start)?,
            // A global: value type and mutability.
            3 => start + 2,
            // A tag: attribute and type index.
            4 => leb(section, start + 1)?.1,
            _ => return None,
        };
        out.push(Import { module, name, kind, desc: section.get(start..end)? });
        pos = end;
    }
    Some(out)
}

/// Skips limits: a flags byte, the minimum, and the maximum when flagged.
fn limits(bytes: &[u8], pos: usize) -> Option<usize> {
    let flags = *bytes.get(pos)?;
    let (_, pos) = leb(bytes, pos + 1)?;
    if flags & 1 == 1 {
        Some(leb(bytes, pos)?.1)
    } else {
        Some(pos)
    }
}

/// The module and its glue with every imported function renamed in both. None, and both stay as they are, when the
/// module cannot be read or when a function's name is not in the glue exactly once: the glue is then of a shape this
/// does not know.
pub fn with_short_imports(module: &[u8], glue: &str) -> Option<(Vec<u8>, String)> {
    let mut out = module.get(..8)?.to_vec();
    let mut glue = glue.to_owned();
    for (id, contents) in sections(module)? {
        if id != 2 {
            put_section(&mut out, id, contents);
            continue;
        }
        let entries = imports(contents)?;
        let mut section = Vec::with_capacity(contents.len());
        put_leb(&mut section, entries.len());
        let mut next = 0;
        for e in &entries {
            let renamed = match e.kind {
                0 => {
                    let old = std::str::from_utf8(e.name).ok()?;
                    let new = short_name(next);
                    next += 1;
                    // Once, and no other import already called that.
                    if glue.matches(old).count() != 1 || entries.iter().any(|o| o.name == new.as_bytes()) {
                        return None;
                    }
                    glue = glue.replacen(old, &new, 1);
                    new.into_bytes()
                }
                _ => e.name.to_vec(),
            };
            put_bytes(&mut section, e.module);
            put_bytes(&mut section, &renamed);
            section.push(e.kind);
            section.extend_from_slice(e.desc);
        }
        put_section(&mut out, id, &section);
    }
    Some((out, glue))
}

/// `a` … `z`, `A` … `Z`, then `ab`, `bb`, …: a JavaScript identifier for each number.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = String::new();
    loop {
        out.push(char::from(LETTERS[n % LETTERS.len()]));
        n /= LETTERS.len();
        if n == 0 {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing a memory and two functions, with a type section before and a custom section after.
    fn module(names: [&str; 2]) -> Vec<u8> {
        let mut imports = vec![3];
        for (name, kind, desc) in [("memory", 2u8, &[0u8, 1][..]), (names[0], 0, &[0]), (names[1], 0, &[0])] {
            put_bytes(&mut imports, b"./glue.js");
            put_bytes(&mut imports, name.as_bytes());
            imports.push(kind);
            imports.extend_from_slice(desc);
        }
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        put_section(&mut m, 1, &[1, 0x60, 0, 0]);
        put_section(&mut m, 2, &imports);
        put_section(&mut m, 0, b"\x04noteok");
        m
    }

    #[test]
    fn functions_take_short_names_in_the_module_and_the_glue() {
        let glue = "const i = { __wbg_log_0a: function() {}, __wbg_now_1b: function() {}, memory: m };";
        let (m, g) = with_short_imports(&module(["__wbg_log_0a", "__wbg_now_1b"]), glue).expect("renamed");
        assert_eq!(m, module(["a", "b"]));
        assert_eq!(g, "const i = { a: function() {}, b: function() {}, memory: m };");
        let kept = sections(&m).and_then(|s| s.into_iter().find(|(id, _)| *id == 2)).and_then(|(_, s)| imports(s));
        let names: Vec<_> = kept.iter().flatten().map(|e| (e.name, e.kind)).collect();
        assert_eq!(names, [(&b"memory"[..], 2), (b"a", 0), (b"b", 0)]);
    }

    #[test]
    fn a_glue_of_another_shape_leaves_both_as_they_are() {
        let m = module(["__wbg_log_0a", "__wbg_now_1b"]);
        // Named twice, or not at all: the glue uses the name somewhere this does not know.
        assert!(with_short_imports(&m, "{ __wbg_log_0a: f, __wbg_now_1b: g } // __wbg_log_0a").is_none());
        assert!(with_short_imports(&m, "{ __wbg_log_0a: f }").is_none());
        // An import already called `b`.
        assert!(with_short_imports(&module(["__wbg_log_0a", "b"]), "{ __wbg_log_0a: f, b: g }").is_none());
        assert!(with_short_imports(&m[..m.len() - 3], "{ __wbg_log_0a: f, __wbg_now_1b: g }").is_none());
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<_> = (0..3000).map(short_name).collect();
        assert_eq!(&names[..3], ["a", "b", "c"]);
        assert_eq!(names[52], "ab");
        let distinct: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_alphabetic())));
    }
}
