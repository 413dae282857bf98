//! Renames the functions of a wasm module (its `name` section) so that sorting by name groups functions that look
//! alike. wasm-opt's `--reorder-functions-by-name` then lays them out in that order, which is what gzip, finding
//! repeats within 32 KiB only, rewards. The names themselves are dropped from the optimised output, so only their
//! order matters: a name the rewrite does not understand keeps its place, and a module it cannot read is left as
//! it is.
//!
//! The order: trait methods by trait and method first (every `Deserialize::deserialize`, every `Clone::clone`, every
//! page's `FunctionProvider::run` together), then by the type they are for; other functions by their path; generic
//! arguments left out of the key, so the copies of one generic function sit together. The original name follows
//! the key, so names stay distinct. About 2% less gzipped than sorting by the names as they are.

/// Names the order [`sort_key`] gives; part of the portal build's stamp, so a change of order is rebuilt.
pub const ORDER: &str = "trait, method, type; no generics (1)";

/// The module with its function names replaced by sort keys, or None when it has no function names or is not a
/// module this can read.
pub fn with_sort_keys(module: &[u8]) -> Option<Vec<u8>> {
    let mut out = module.get(..8)?.to_vec();
    let mut renamed = false;
    for (id, body) in sections(module)? {
        match (id, custom_name(body)) {
            (0, Some(("name", names_at))) => {
                renamed = true;
                put_section(&mut out, id, &rename(body, names_at)?);
            }
            _ => put_section(&mut out, id, body),
        }
    }
    renamed.then_some(out)
}

/// A custom section's name and where its contents start.
pub(super) fn custom_name(body: &[u8]) -> Option<(&str, usize)> {
    let (name, end) = bytes_at(body, 0)?;
    Some((std::str::from_utf8(name).ok()?, end))
}

/// The `name` section with its function names (subsection 1) replaced by sort keys; other subsections kept.
fn rename(section: &[u8], pos: usize) -> Option<Vec<u8>> {
    let mut out = section.get(..pos)?.to_vec();
    for (sub, contents) in chunks(section, pos)? {
        match sub {
            1 => put_section(&mut out, sub, &function_names(contents)?),
            _ => put_section(&mut out, sub, contents),
        }
    }
    Some(out)
}

/// A name map (count, then index and name pairs) with each name replaced by its sort key.
fn function_names(map: &[u8]) -> Option<Vec<u8>> {
    let (count, mut pos) = leb(map, 0)?;
    let mut out = Vec::with_capacity(map.len() * 2);
    put_leb(&mut out, count);
    for _ in 0..count {
        let (index, p) = leb(map, pos)?;
        let (len, p) = leb(map, p)?;
        let name = String::from_utf8_lossy(map.get(p..p.checked_add(len)?)?);
        put_name(&mut out, index, &sort_key(&name));
        pos = p + len;
    }
    Some(out)
}

/// The module's sections as (id, contents), in order; None when it is not a wasm module or is cut short.
pub(super) fn sections(module: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    if module.get(..4)? != b"\0asm" {
        return None;
    }
    chunks(module, 8)
}

/// The (id, size, contents) entries from `pos` to the end: a module's sections, or a `name` section's subsections.
fn chunks(bytes: &[u8], mut pos: usize) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while pos < bytes.len() {
        let id = *bytes.get(pos)?;
        let (size, start) = leb(bytes, pos + 1)?;
        let end = start.checked_add(size)?;
        out.push((id, bytes.get(start..end)?));
        pos = end;
    }
    Some(out)
}

/// Appends a section (or subsection): its id, its size and its contents.
pub(super) fn put_section(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    put_bytes(out, contents);
}

/// Appends one entry of a name map: the function's index and its name.
pub(super) fn put_name(out: &mut Vec<u8>, index: usize, name: &str) {
    put_leb(out, index);
    put_bytes(out, name.as_bytes());
}

/// Appends a length-prefixed byte string (a name, a module's name in an import).
pub(super) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_leb(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// A length-prefixed byte string at `pos`, and the position after it.
pub(super) fn bytes_at(bytes: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let (len, start) = leb(bytes, pos)?;
    let end = start.checked_add(len)?;
    Some((bytes.get(start..end)?, end))
}

/// `<Type as Trait>::method::h…` sorts as `Trait::method Type`, anything else as its path; both without generic
/// arguments, then the full name.
pub fn sort_key(name: &str) -> String {
    let base = strip_hash(name);
    let key = match qualified(base) {
        Some((ty, Some(tr), rest)) => format!("{}::{} {}", no_generics(tr), no_generics(rest), no_generics(ty)),
        Some((ty, None, rest)) => format!("{}::{}", no_generics(ty), no_generics(rest)),
        None => no_generics(base),
    };
    format!("{key} {name}")
}

/// Without rustc's `::h` and 16 hex digits.
fn strip_hash(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((base, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => base,
        _ => name,
    }
}

/// `<Type as Trait>::rest` as (Type, Some(Trait), rest), `<Type>::rest` as (Type, None, rest), by matching the angle
/// brackets.
fn qualified(name: &str) -> Option<(&str, Option<&str>, &str)> {
    let inner_and_rest = name.strip_prefix('<')?;
    let mut depth = 1usize;
    let mut split = None;
    for (i, c) in inner_and_rest.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    let inner = &inner_and_rest[..i];
                    let rest = inner_and_rest[i + 1..].trim_start_matches(':');
                    return Some(match split {
                        Some(at) => (&inner[..at], Some(&inner[at + 4..]), rest),
                        None => (inner, None, rest),
                    });
                }
            }
            ' ' if depth == 1 && split.is_none() && inner_and_rest[i..].starts_with(" as ") => split = Some(i),
            _ => {}
        }
    }
    None
}

/// `name` with every `<…>` left out.
fn no_generics(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// An unsigned LEB128 at `pos`: its value and the position after it.
pub(super) fn leb(bytes: &[u8], mut pos: usize) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(pos)?;
        pos += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((value, pos));
        }
    }
    None
}

pub(super) fn put_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trait_methods_sort_by_trait_and_method_then_type_without_generics() {
        let key = |n: &str| sort_key(n).split_once(' ').map(|(k, _)| k.to_owned()).unwrap_or_default();
        assert_eq!(
            sort_key("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop::h0123456789abcdef"),
            "core::ops::drop::Drop::drop alloc::vec::Vec <alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop::h0123456789abcdef"
        );
        assert_eq!(
            key("alloc::vec::Vec<T,A>::extend_desugared::h0123456789abcdef"),
            "alloc::vec::Vec::extend_desugared"
        );
        assert_eq!(key("<[T]>::sort_by::h0123456789abcdef"), "[T]::sort_by");
        assert_eq!(key("core::ptr::drop_in_place<vigil_web::Foo>"), "core::ptr::drop_in_place");
        // Two pages' render functions key alike, then differ by their type.
        let a = sort_key("<vigil_web::pages::a::A as yew::functional::FunctionProvider>::run::h0123456789abcdef");
        let b = sort_key("<vigil_web::pages::b::B as yew::functional::FunctionProvider>::run::h0123456789abcdef");
        assert!(a.starts_with("yew::functional::FunctionProvider::run vigil_web::pages::a::A "), "{a}");
        assert!(a < b);
        // What it does not parse keeps its name as the key.
        assert_eq!(key("<unbalanced"), "");
        assert_eq!(sort_key("main"), "main main");
    }

    #[test]
    fn only_the_function_names_change() {
        let leb = |v: usize| {
            let mut out = Vec::new();
            put_leb(&mut out, v);
            out
        };
        let section = |id: u8, body: &[u8]| [&[id][..], &leb(body.len()), body].concat();
        let names = [&leb(2)[..], &leb(0), &leb(4), b"main", &leb(300), &leb(1), b"f"].concat();
        let locals = [0u8, 0];
        let name_body = [&leb(4)[..], b"name", &section(1, &names), &section(2, &locals)].concat();
        let type_section = section(1, &[1, 0x60, 0, 0]);
        let module = [&b"\0asm\x01\0\0\0"[..], &type_section, &section(0, &name_body)].concat();

        let out = with_sort_keys(&module).expect("a module with names");
        let renamed = [&leb(2)[..], &leb(0), &leb(9), b"main main", &leb(300), &leb(3), b"f f"].concat();
        let name_body = [&leb(4)[..], b"name", &section(1, &renamed), &section(2, &locals)].concat();
        assert_eq!(out, [&b"\0asm\x01\0\0\0"[..], &type_section, &section(0, &name_body)].concat());

        assert_eq!(with_sort_keys(&[&b"\0asm\x01\0\0\0"[..], &type_section].concat()), None, "no names");
        assert_eq!(with_sort_keys(&module[..module.len() - 3]), None, "cut short");
    }
}
