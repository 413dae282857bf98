//! `#[derive(FromJson)]` (see the `vigil-json` crate): one short reader per type, following the type's
//! `#[serde(...)]` attributes. An attribute that changes how serde reads and that this derive does not know is a
//! compile error, so the two cannot silently disagree.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Error, Fields, Ident, LitStr, Path, Type};

#[proc_macro_derive(FromJson, attributes(serde))]
pub fn derive(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input).unwrap_or_else(Error::into_compile_error).into()
}

/// serde's `rename_all` rules that the contract uses.
#[derive(Clone, Copy)]
enum Rule {
    Snake,
    Lower,
    Upper,
    Camel,
    ScreamingSnake,
    Kebab,
}

impl Rule {
    fn parse(s: &LitStr) -> syn::Result<Self> {
        Ok(match s.value().as_str() {
            "snake_case" => Self::Snake,
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "camelCase" => Self::Camel,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "kebab-case" => Self::Kebab,
            _ => return Err(Error::new(s.span(), "FromJson does not know this rename_all rule")),
        })
    }

    /// A variant's name (written in PascalCase), as serde renames it.
    fn variant(self, name: &str) -> String {
        let snake = || {
            let mut out = String::new();
            for (i, c) in name.char_indices() {
                if c.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        };
        match self {
            Self::Snake => snake(),
            Self::Lower => name.to_ascii_lowercase(),
            Self::Upper => name.to_ascii_uppercase(),
            Self::Camel => {
                let mut cs = name.chars();
                cs.next().map(|c| c.to_ascii_lowercase().to_string() + cs.as_str()).unwrap_or_default()
            }
            Self::ScreamingSnake => snake().to_ascii_uppercase(),
            Self::Kebab => snake().replace('_', "-"),
        }
    }

    /// A field's name (written in snake_case), as serde renames it.
    fn field(self, name: &str) -> String {
        match self {
            Self::Snake | Self::Lower => name.to_owned(),
            Self::Upper | Self::ScreamingSnake => name.to_ascii_uppercase(),
            Self::Kebab => name.replace('_', "-"),
            Self::Camel => {
                let mut out = String::new();
                let mut upper = false;
                for c in name.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.push(c.to_ascii_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

/// What the type's own `#[serde(...)]` says.
#[derive(Default)]
struct Container {
    rename_all: Option<Rule>,
    tag: Option<String>,
    content: Option<String>,
    deny_unknown: bool,
    transparent: bool,
    default: bool,
    /// `try_from = "T"` or `from = "T"`: read a `T`, then convert.
    via: Option<(Type, bool)>,
}

#[derive(Default)]
struct Field {
    rename: Option<String>,
    default: Option<Option<Path>>,
    flatten: bool,
}

#[derive(Default)]
struct Variant {
    rename: Option<String>,
    rename_all: Option<Rule>,
}

fn serde_attrs(
    attrs: &[Attribute],
    mut each: impl FnMut(syn::meta::ParseNestedMeta) -> syn::Result<()>,
) -> syn::Result<()> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(&mut each)?;
    }
    Ok(())
}

fn string(meta: &syn::meta::ParseNestedMeta) -> syn::Result<LitStr> {
    meta.value()?.parse()
}

/// Attributes that only change how serde writes: read and ignored.
fn write_only(meta: &syn::meta::ParseNestedMeta) -> syn::Result<bool> {
    for name in ["skip_serializing_if", "into", "rename", "bound"] {
        if meta.path.is_ident(name) {
            if meta.input.peek(syn::Token![=]) {
                string(meta)?;
            }
            return Ok(true);
        }
    }
    Ok(meta.path.is_ident("skip_serializing"))
}

fn unsupported(meta: &syn::meta::ParseNestedMeta) -> Error {
    meta.error("FromJson does not support this serde attribute; read the type by hand or extend the derive")
}

fn container(input: &DeriveInput) -> syn::Result<Container> {
    let mut c = Container::default();
    serde_attrs(&input.attrs, |meta| {
        if meta.path.is_ident("rename_all") {
            c.rename_all = Some(Rule::parse(&string(&meta)?)?);
        } else if meta.path.is_ident("tag") {
            c.tag = Some(string(&meta)?.value());
        } else if meta.path.is_ident("content") {
            c.content = Some(string(&meta)?.value());
        } else if meta.path.is_ident("deny_unknown_fields") {
            c.deny_unknown = true;
        } else if meta.path.is_ident("transparent") {
            c.transparent = true;
        } else if meta.path.is_ident("default") {
            c.default = true;
        } else if meta.path.is_ident("try_from") || meta.path.is_ident("from") {
            let fallible = meta.path.is_ident("try_from");
            c.via = Some((string(&meta)?.parse()?, fallible));
        } else if !write_only(&meta)? {
            return Err(unsupported(&meta));
        }
        Ok(())
    })?;
    Ok(c)
}

fn field_attrs(attrs: &[Attribute]) -> syn::Result<Field> {
    let mut f = Field::default();
    serde_attrs(attrs, |meta| {
        if meta.path.is_ident("rename") {
            f.rename = Some(string(&meta)?.value());
        } else if meta.path.is_ident("default") {
            f.default = Some(match meta.input.peek(syn::Token![=]) {
                true => Some(string(&meta)?.parse()?),
                false => None,
            });
        } else if meta.path.is_ident("flatten") {
            f.flatten = true;
        } else if !write_only(&meta)? {
            return Err(unsupported(&meta));
        }
        Ok(())
    })?;
    Ok(f)
}

fn variant_attrs(attrs: &[Attribute]) -> syn::Result<Variant> {
    let mut v = Variant::default();
    serde_attrs(attrs, |meta| {
        if meta.path.is_ident("rename") {
            v.rename = Some(string(&meta)?.value());
        } else if meta.path.is_ident("rename_all") {
            v.rename_all = Some(Rule::parse(&string(&meta)?)?);
        } else if !write_only(&meta)? {
            return Err(unsupported(&meta));
        }
        Ok(())
    })?;
    Ok(v)
}

/// `r#type` is `type` in JSON.
fn ident_name(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let c = container(input)?;
    let name = &input.ident;
    let expected = format!("{} {name}", if matches!(input.data, Data::Enum(_)) { "enum" } else { "struct" });
    let body = match (&c.via, &input.data) {
        (Some((via, fallible)), _) => {
            let convert = match fallible {
                true => quote!(<Self as ::core::convert::TryFrom<#via>>::try_from(raw)
                    .map_err(|e| ::vigil_json::Error::custom(&e))),
                false => quote!(::core::result::Result::Ok(<Self as ::core::convert::From<#via>>::from(raw))),
            };
            quote! {
                let raw = <#via as ::vigil_json::FromJson>::from_json(value)?;
                #convert
            }
        }
        (None, Data::Struct(s)) => struct_body(&c, &s.fields, &expected)?,
        (None, Data::Enum(e)) => enum_body(&c, e, &expected)?,
        (None, Data::Union(_)) => return Err(Error::new(Span::call_site(), "FromJson does not read unions")),
    };
    let key = key_impl(input, &c);

    let mut generics = input.generics.clone();
    for p in generics.type_params_mut() {
        p.bounds.push(syn::parse_quote!(::vigil_json::FromJson));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::vigil_json::FromJson for #name #ty_generics #where_clause {
            #[allow(unused_variables, unused_mut)]
            fn from_json(value: ::vigil_json::Value) -> ::core::result::Result<Self, ::vigil_json::Error> {
                #body
            }
        }
        #key
    })
}

/// Types that serde can read from an object's key: strings and integers, their newtypes, unit-only enums, and
/// types converted from a `String`.
fn key_impl(input: &DeriveInput, c: &Container) -> Tokens {
    if !input.generics.params.is_empty() {
        return Tokens::new();
    }
    let name = &input.ident;
    let named = |t: &Type, names: &[&str]| match t {
        Type::Path(p) => p.path.get_ident().is_some_and(|i| names.contains(&i.to_string().as_str())),
        _ => false,
    };
    let plain = |t: &Type| named(t, &["String", "u8", "u16", "u32", "u64", "usize", "i32", "i64"]);
    let from_key = match (&c.via, &input.data) {
        (Some((via, _)), _) if named(via, &["String"]) => quote! {
            <Self as ::vigil_json::FromJson>::from_json(::vigil_json::Value::String(key))
        },
        (None, Data::Struct(s)) if s.fields.len() == 1 && (c.transparent || matches!(s.fields, Fields::Unnamed(_))) => {
            match s.fields.iter().next() {
                Some(f) if plain(&f.ty) => {
                    let ty = &f.ty;
                    let build = match &f.ident {
                        Some(ident) => quote!(Self { #ident: inner }),
                        None => quote!(Self(inner)),
                    };
                    quote! {
                        let inner = <#ty as ::vigil_json::FromJsonKey>::from_key(key)?;
                        ::core::result::Result::Ok(#build)
                    }
                }
                _ => return Tokens::new(),
            }
        }
        (None, Data::Enum(e)) if c.tag.is_none() && e.variants.iter().all(|v| v.fields.is_empty()) => quote! {
            <Self as ::vigil_json::FromJson>::from_json(::vigil_json::Value::String(key))
        },
        _ => return Tokens::new(),
    };
    quote! {
        impl ::vigil_json::FromJsonKey for #name {
            fn from_key(key: ::std::string::String) -> ::core::result::Result<Self, ::vigil_json::Error> {
                #from_key
            }
        }
    }
}

fn struct_body(c: &Container, fields: &Fields, expected: &str) -> syn::Result<Tokens> {
    match fields {
        Fields::Unit => Ok(quote! {
            <() as ::vigil_json::FromJson>::from_json(value)?;
            ::core::result::Result::Ok(Self)
        }),
        // A newtype is its field, with or without `transparent`; so is a one-field struct marked `transparent`.
        Fields::Unnamed(u) if u.unnamed.len() == 1 => Ok(quote! {
            ::vigil_json::FromJson::from_json(value).map(Self)
        }),
        Fields::Named(n) if c.transparent && n.named.len() == 1 => {
            let ident = n.named.iter().next().and_then(|f| f.ident.clone());
            Ok(quote! {
                ::vigil_json::FromJson::from_json(value).map(|inner| Self { #ident: inner })
            })
        }
        Fields::Unnamed(_) => Err(Error::new(Span::call_site(), "FromJson reads tuple structs of one field only")),
        Fields::Named(_) => {
            let (reads, build) = named_fields(c, fields, None)?;
            let deny = c.deny_unknown.then(|| quote!(o.deny_unknown()?;));
            Ok(quote! {
                let mut o = ::vigil_json::Object::new(value, #expected)?;
                let read = (|| {
                    #reads
                    ::core::option::Option::Some(Self { #build })
                })();
                #deny
                o.finish(read)
            })
        }
    }
}

/// Reads the named fields out of the object `o`, inside a closure giving an `Option`: the statements, and the struct
/// literal's fields. Flattened fields are read last, from what the others left.
fn named_fields(c: &Container, fields: &Fields, rule: Option<Option<Rule>>) -> syn::Result<(Tokens, Tokens)> {
    let rule = rule.unwrap_or(c.rename_all);
    let mut reads = Tokens::new();
    let mut flattened = Tokens::new();
    let mut build = Tokens::new();
    for (i, f) in fields.iter().enumerate() {
        let attrs = field_attrs(&f.attrs)?;
        let Some(ident) = &f.ident else {
            return Err(Error::new(Span::call_site(), "FromJson expects named fields here"));
        };
        let local = format_ident!("f{i}");
        let ty = &f.ty;
        let key = attrs.rename.clone().unwrap_or_else(|| {
            let n = ident_name(ident);
            rule.map_or(n.clone(), |r| r.field(&n))
        });
        build.extend(quote!(#ident: #local,));
        if attrs.flatten {
            flattened.extend(quote! {
                let #local = o.flattened::<#ty>()?;
            });
            continue;
        }
        // A container's `default` reads an absent field as its type's default: serde takes it from the
        // container's `Default`, which is the same when that is derived (as on every type using it here).
        let read = match (&attrs.default, c.default) {
            (Some(None), _) | (None, true) => quote!(o.field_or::<#ty>(#key, ::core::default::Default::default)?),
            (Some(Some(path)), _) => quote!(o.field_or::<#ty>(#key, #path)?),
            (None, false) => quote!(o.field::<#ty>(#key)?),
        };
        reads.extend(quote!(let #local = #read;));
    }
    reads.extend(flattened);
    Ok((reads, build))
}

fn enum_body(c: &Container, e: &syn::DataEnum, expected: &str) -> syn::Result<Tokens> {
    if c.transparent || c.default {
        return Err(Error::new(Span::call_site(), "FromJson: transparent or default on an enum"));
    }
    let mut names = Vec::new();
    let mut arms = Vec::new();
    let count = e.variants.len();
    for (i, v) in e.variants.iter().enumerate() {
        let attrs = variant_attrs(&v.attrs)?;
        let ident = &v.ident;
        names.push(attrs.rename.clone().unwrap_or_else(|| {
            let n = ident_name(ident);
            c.rename_all.map_or(n.clone(), |r| r.variant(&n))
        }));
        // The payload: in `o` for an internally tagged enum, in the value `payload` otherwise.
        let build = match (&v.fields, &c.tag, &c.content) {
            (Fields::Unit, _, _) => quote!(::core::result::Result::Ok(Self::#ident)),
            (Fields::Unnamed(u), None, _) | (Fields::Unnamed(u), Some(_), Some(_)) if u.unnamed.len() == 1 => {
                quote!(::vigil_json::FromJson::from_json(payload).map(Self::#ident))
            }
            (Fields::Unnamed(u), Some(_), None) if u.unnamed.len() == 1 => {
                quote!(::vigil_json::FromJson::from_json(o.rest()).map(Self::#ident))
            }
            (Fields::Named(_), tag, content) => {
                let inner = Container { rename_all: attrs.rename_all, ..Container::default() };
                let (reads, build) = named_fields(&inner, &v.fields, Some(attrs.rename_all))?;
                let open = match (tag, content) {
                    (Some(_), None) => Tokens::new(),
                    _ => quote!(let mut o = ::vigil_json::Object::new(payload, #expected)?;),
                };
                quote! {{
                    #open
                    let read = (|| {
                        #reads
                        ::core::option::Option::Some(Self::#ident { #build })
                    })();
                    o.finish(read)
                }}
            }
            _ => return Err(Error::new(ident.span(), "FromJson reads variants of at most one unnamed field")),
        };
        let pattern = match i + 1 == count {
            true => quote!(_),
            false => quote!(#i),
        };
        arms.push(quote!(#pattern => #build,));
    }
    let choose = match (&c.tag, &c.content) {
        (None, None) if e.variants.iter().all(|v| v.fields.is_empty()) => {
            quote!(match ::vigil_json::variant(value, &[#(#names),*], #expected)?)
        }
        (None, None) => quote! {
            let (index, payload) = ::vigil_json::external(value, &[#(#names),*], #expected)?;
            match index
        },
        (Some(tag), None) => quote! {
            let mut o = ::vigil_json::Object::new(value, #expected)?;
            match o.tag(#tag, &[#(#names),*], #expected)?
        },
        (Some(tag), Some(content)) => quote! {
            let mut o = ::vigil_json::Object::new(value, #expected)?;
            let index = o.tag(#tag, &[#(#names),*], #expected)?;
            let payload = o.take(#content).unwrap_or(::vigil_json::Value::Null);
            match index
        },
        (None, Some(_)) => return Err(Error::new(Span::call_site(), "FromJson: content without tag")),
    };
    Ok(quote! {
        #choose {
            #(#arms)*
        }
    })
}
