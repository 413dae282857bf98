//! `ToJson`: one short writer per type, building the `Value` serde would write.

use crate::attrs::{
    bounded, container, field_attrs, field_name, key, variant_attrs, variant_name, Container, Key, Rule,
};
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Error, Fields};

pub fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let c = container(input)?;
    let name = &input.ident;
    let body = match (&c.into, &input.data) {
        (Some(into), _) => quote! {
            ::vigil_json::ToJson::to_json(&<#into as ::core::convert::From<Self>>::from(::core::clone::Clone::clone(self)))
        },
        (None, Data::Struct(s)) => struct_body(&c, &s.fields)?,
        (None, Data::Enum(e)) => enum_body(&c, e)?,
        (None, Data::Union(_)) => return Err(Error::new(Span::call_site(), "ToJson does not write unions")),
    };
    let key = key_impl(input, &c);
    let generics = bounded(&input.generics, syn::parse_quote!(::vigil_json::ToJson));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::vigil_json::ToJson for #name #ty_generics #where_clause {
            fn to_json(&self) -> ::vigil_json::Value {
                #body
            }
        }
        #key
    })
}

/// The same types as `FromJsonKey`'s (see [`key`]).
fn key_impl(input: &DeriveInput, c: &Container) -> Tokens {
    let name = &input.ident;
    let to_key = match key(input, c, c.into.as_ref()) {
        Some(Key::Text) => quote! {
            match ::vigil_json::ToJson::to_json(self) {
                ::vigil_json::Value::String(s) => s,
                other => ::vigil_json::to_text(&other),
            }
        },
        Some(Key::Field(f)) => {
            let access = match &f.ident {
                Some(ident) => quote!(self.#ident),
                None => quote!(self.0),
            };
            quote!(::vigil_json::ToJsonKey::to_key(&#access))
        }
        None => return Tokens::new(),
    };
    quote! {
        impl ::vigil_json::ToJsonKey for #name {
            fn to_key(&self) -> ::std::string::String {
                #to_key
            }
        }
    }
}

fn struct_body(c: &Container, fields: &Fields) -> syn::Result<Tokens> {
    match fields {
        Fields::Unit => Ok(quote!(::vigil_json::Value::Null)),
        Fields::Unnamed(u) if u.unnamed.len() == 1 => Ok(quote!(::vigil_json::ToJson::to_json(&self.0))),
        Fields::Named(n) if c.transparent && n.named.len() == 1 => {
            let ident = n.named.iter().next().and_then(|f| f.ident.clone());
            Ok(quote!(::vigil_json::ToJson::to_json(&self.#ident)))
        }
        Fields::Unnamed(_) => Err(Error::new(Span::call_site(), "ToJson writes tuple structs of one field only")),
        Fields::Named(_) => {
            let writes = named_fields(fields, c.rename_all, |ident| quote!(&self.#ident))?;
            Ok(quote! {
                let mut o = ::vigil_json::Map::new();
                #writes
                ::vigil_json::Value::Object(o)
            })
        }
    }
}

/// Writes the named fields into the map `o`; `access` gives each field's reference.
fn named_fields(fields: &Fields, rule: Option<Rule>, access: impl Fn(&syn::Ident) -> Tokens) -> syn::Result<Tokens> {
    let mut out = Tokens::new();
    for f in fields {
        let attrs = field_attrs(&f.attrs)?;
        let Some(ident) = &f.ident else {
            return Err(Error::new(Span::call_site(), "ToJson expects named fields here"));
        };
        if attrs.skip_serializing {
            continue;
        }
        let value = access(ident);
        let key = field_name(ident, &attrs, rule);
        let write = match attrs.flatten {
            true => quote!(::vigil_json::merge(&mut o, ::vigil_json::ToJson::to_json(#value));),
            false => quote!(::vigil_json::insert(&mut o, #key, ::vigil_json::ToJson::to_json(#value));),
        };
        out.extend(match &attrs.skip_if {
            Some(path) => quote!(if !#path(#value) { #write }),
            None => write,
        });
    }
    Ok(out)
}

fn enum_body(c: &Container, e: &syn::DataEnum) -> syn::Result<Tokens> {
    if c.transparent {
        return Err(Error::new(Span::call_site(), "ToJson: transparent on an enum"));
    }
    let mut arms = Vec::new();
    for v in &e.variants {
        let attrs = variant_attrs(&v.attrs)?;
        let ident = &v.ident;
        let name = variant_name(ident, &attrs, c.rename_all);
        // The payload's value, and the pattern binding it.
        let (pattern, payload) = match &v.fields {
            Fields::Unit => (quote!(Self::#ident), None),
            Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                (quote!(Self::#ident(inner)), Some(quote!(::vigil_json::ToJson::to_json(inner))))
            }
            Fields::Named(_) => {
                let bound: Vec<_> = v.fields.iter().filter_map(|f| f.ident.clone()).collect();
                let locals: Vec<_> = (0..bound.len()).map(|i| format_ident!("f{i}")).collect();
                let by_name: std::collections::HashMap<String, syn::Ident> =
                    bound.iter().zip(&locals).map(|(b, l)| (b.to_string(), l.clone())).collect();
                let writes = named_fields(&v.fields, attrs.rename_all, |field| {
                    let local = by_name.get(&field.to_string()).cloned();
                    quote!(#local)
                })?;
                (
                    quote!(Self::#ident { #(#bound: #locals),* }),
                    Some(quote! {{
                        let mut o = ::vigil_json::Map::new();
                        #writes
                        ::vigil_json::Value::Object(o)
                    }}),
                )
            }
            _ => return Err(Error::new(ident.span(), "ToJson writes variants of at most one unnamed field")),
        };
        let value = match (&c.tag, &c.content, payload) {
            (None, None, None) => quote!(::vigil_json::Value::String(::std::string::String::from(#name))),
            (None, None, Some(p)) => quote!(::vigil_json::wrap(#name, #p)),
            (Some(tag), _, None) => quote!(::vigil_json::with_tag(#tag, #name, ::vigil_json::Value::Null)),
            (Some(tag), None, Some(p)) => quote!(::vigil_json::with_tag(#tag, #name, #p)),
            (Some(tag), Some(content), Some(p)) => quote!(::vigil_json::adjacent(#tag, #name, #content, #p)),
            (None, Some(_), _) => return Err(Error::new(Span::call_site(), "ToJson: content without tag")),
        };
        arms.push(quote!(#pattern => #value,));
    }
    Ok(quote! {
        match self {
            #(#arms)*
        }
    })
}
