//! `FromJson`: one short reader per type.

use crate::attrs::{
    bounded, container, field_attrs, field_name, key, variant_attrs, variant_name, Container, Key, Rule,
};
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::{Data, DeriveInput, Error, Fields};

pub fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
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
    let placeholder = placeholder(input, c.via.is_some())?;

    let generics = bounded(&input.generics, syn::parse_quote!(::vigil_json::FromJson));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::vigil_json::FromJson for #name #ty_generics #where_clause {
            #[allow(unused_variables, unused_mut)]
            fn from_json(value: ::vigil_json::Value) -> ::core::result::Result<Self, ::vigil_json::Error> {
                #body
            }

            fn placeholder() -> Self {
                #placeholder
            }
        }
        #key
    })
}

/// Types that serde can read from an object's key (see [`key`]).
fn key_impl(input: &DeriveInput, c: &Container) -> Tokens {
    let name = &input.ident;
    let from_key = match key(input, c, c.via.as_ref().map(|(t, _)| t)) {
        Some(Key::Text) => quote! {
            <Self as ::vigil_json::FromJson>::from_json(::vigil_json::Value::String(key))
        },
        Some(Key::Field(f)) => {
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
        None => return Tokens::new(),
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
            let build = named_fields(c, fields, None)?;
            let deny = c.deny_unknown.then(|| quote!(o.deny_unknown()?;));
            Ok(quote! {
                let mut o = ::vigil_json::Object::new(value, #expected)?;
                let read = Self { #build };
                #deny
                o.finish(read)
            })
        }
    }
}

/// The fields of a struct literal reading the named fields out of the object `o` (each an error kept in `o` and a
/// placeholder in its place when it fails). A literal's fields are evaluated in the order written, so the flattened
/// ones go last and read what the others left.
fn named_fields(c: &Container, fields: &Fields, rule: Option<Option<Rule>>) -> syn::Result<Tokens> {
    let rule = rule.unwrap_or(c.rename_all);
    let mut reads = Tokens::new();
    let mut flattened = Tokens::new();
    for f in fields {
        let attrs = field_attrs(&f.attrs)?;
        let Some(ident) = &f.ident else {
            return Err(Error::new(Span::call_site(), "FromJson expects named fields here"));
        };
        let ty = &f.ty;
        let key = field_name(ident, &attrs, rule);
        if attrs.flatten {
            flattened.extend(quote!(#ident: o.flattened::<#ty>(),));
            continue;
        }
        // A container's `default` reads an absent field as its type's default: serde takes it from the
        // container's `Default`, which is the same when that is derived (as on every type using it here).
        let read = match (&attrs.default, c.default) {
            (Some(None), _) | (None, true) => quote!(o.field_or::<#ty>(#key, ::core::default::Default::default)),
            (Some(Some(path)), _) => quote!(o.field_or::<#ty>(#key, #path)),
            (None, false) => quote!(o.field::<#ty>(#key)),
        };
        reads.extend(quote!(#ident: #read,));
    }
    reads.extend(flattened);
    Ok(reads)
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
        names.push(variant_name(ident, &attrs, c.rename_all));
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
                let build = named_fields(&inner, &v.fields, Some(attrs.rename_all))?;
                let open = match (tag, content) {
                    (Some(_), None) => Tokens::new(),
                    _ => quote!(let mut o = ::vigil_json::Object::new(payload, #expected)?;),
                };
                quote! {{
                    #open
                    let read = Self::#ident { #build };
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

/// [`FromJson::placeholder`]'s body: the struct, or the enum's first variant, with each field's own placeholder. A
/// type read through another (`try_from`/`from`) may hold fields that are not read as JSON at all, so its fields
/// take their `Default` instead; none of these values is checked, since none is ever seen.
fn placeholder(input: &DeriveInput, via: bool) -> syn::Result<Tokens> {
    let fill = match via {
        true => quote!(::core::default::Default::default()),
        false => quote!(::vigil_json::FromJson::placeholder()),
    };
    let (path, fields) = match &input.data {
        Data::Struct(s) => (quote!(Self), &s.fields),
        Data::Enum(e) => match e.variants.first() {
            Some(v) => {
                let ident = &v.ident;
                (quote!(Self::#ident), &v.fields)
            }
            None => return Err(Error::new(Span::call_site(), "FromJson does not read an enum without variants")),
        },
        Data::Union(_) => return Err(Error::new(Span::call_site(), "FromJson does not read unions")),
    };
    Ok(match fields {
        Fields::Unit => path,
        Fields::Unnamed(u) => {
            let each = u.unnamed.iter().map(|_| &fill);
            quote!(#path(#(#each),*))
        }
        Fields::Named(n) => {
            let each = n.named.iter().map(|f| {
                let ident = &f.ident;
                quote!(#ident: #fill)
            });
            quote!(#path { #(#each),* })
        }
    })
}
