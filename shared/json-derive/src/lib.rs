//! `#[derive(FromJson)]` and `#[derive(ToJson)]` (see the `vigil-json` crate): one short reader and writer per
//! type, following the type's `#[serde(...)]` attributes. An attribute that changes how serde reads or writes and
//! that these derives do not know is a compile error, so they and serde cannot silently disagree.

mod attrs;
mod read;
mod write;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput, Error};

#[proc_macro_derive(FromJson, attributes(serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    read::expand(&input).unwrap_or_else(Error::into_compile_error).into()
}

#[proc_macro_derive(ToJson, attributes(serde))]
pub fn derive_to_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    write::expand(&input).unwrap_or_else(Error::into_compile_error).into()
}
