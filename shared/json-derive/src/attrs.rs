//! The `#[serde(...)]` attributes both derives follow.

use syn::{Attribute, Data, DeriveInput, Error, Fields, Generics, Ident, LitStr, Path, Type, TypeParamBound};

/// serde's `rename_all` rules that the contract uses.
#[derive(Clone, Copy)]
pub enum Rule {
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
    pub fn variant(self, name: &str) -> String {
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
    pub fn field(self, name: &str) -> String {
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
pub struct Container {
    pub rename_all: Option<Rule>,
    pub tag: Option<String>,
    pub content: Option<String>,
    pub deny_unknown: bool,
    pub transparent: bool,
    pub default: bool,
    /// `try_from = "T"` or `from = "T"`: read a `T`, then convert.
    pub via: Option<(Type, bool)>,
    /// `into = "T"`: written as the `T` it converts into.
    pub into: Option<Type>,
}

#[derive(Default)]
pub struct Field {
    pub rename: Option<String>,
    pub default: Option<Option<Path>>,
    pub flatten: bool,
    /// `skip_serializing_if = "path"`.
    pub skip_if: Option<Path>,
    pub skip_serializing: bool,
}

#[derive(Default)]
pub struct Variant {
    pub rename: Option<String>,
    pub rename_all: Option<Rule>,
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

/// Attributes that change neither reading nor writing JSON (a container's own name, trait bounds): read and ignored.
fn neutral(meta: &syn::meta::ParseNestedMeta) -> syn::Result<bool> {
    for name in ["rename", "bound"] {
        if meta.path.is_ident(name) {
            if meta.input.peek(syn::Token![=]) {
                string(meta)?;
            }
            return Ok(true);
        }
    }
    Ok(false)
}

fn unsupported(meta: &syn::meta::ParseNestedMeta) -> Error {
    meta.error("FromJson/ToJson do not support this serde attribute; write the impl by hand or extend the derive")
}

pub fn container(input: &DeriveInput) -> syn::Result<Container> {
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
        } else if meta.path.is_ident("into") {
            c.into = Some(string(&meta)?.parse()?);
        } else if !neutral(&meta)? {
            return Err(unsupported(&meta));
        }
        Ok(())
    })?;
    Ok(c)
}

pub fn field_attrs(attrs: &[Attribute]) -> syn::Result<Field> {
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
        } else if meta.path.is_ident("skip_serializing_if") {
            f.skip_if = Some(string(&meta)?.parse()?);
        } else if meta.path.is_ident("skip_serializing") {
            f.skip_serializing = true;
        } else if !neutral(&meta)? {
            return Err(unsupported(&meta));
        }
        Ok(())
    })?;
    Ok(f)
}

pub fn variant_attrs(attrs: &[Attribute]) -> syn::Result<Variant> {
    let mut v = Variant::default();
    serde_attrs(attrs, |meta| {
        if meta.path.is_ident("rename") {
            v.rename = Some(string(&meta)?.value());
        } else if meta.path.is_ident("rename_all") {
            v.rename_all = Some(Rule::parse(&string(&meta)?)?);
        } else if !neutral(&meta)? {
            return Err(unsupported(&meta));
        }
        Ok(())
    })?;
    Ok(v)
}

/// `r#type` is `type` in JSON.
pub fn ident_name(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

/// A field's name in JSON.
pub fn field_name(ident: &Ident, attrs: &Field, rule: Option<Rule>) -> String {
    attrs.rename.clone().unwrap_or_else(|| {
        let n = ident_name(ident);
        rule.map_or(n.clone(), |r| r.field(&n))
    })
}

/// A variant's name in JSON.
pub fn variant_name(ident: &Ident, attrs: &Variant, rule: Option<Rule>) -> String {
    attrs.rename.clone().unwrap_or_else(|| {
        let n = ident_name(ident);
        rule.map_or(n.clone(), |r| r.variant(&n))
    })
}

/// Whether a type is written as one of these bare names (`String`, `u32`, …).
pub fn is_named(t: &Type, names: &[&str]) -> bool {
    match t {
        Type::Path(p) => p.path.get_ident().is_some_and(|i| names.contains(&i.to_string().as_str())),
        _ => false,
    }
}

/// The types a JSON object's key can be: strings and integers.
const KEY_TYPES: [&str; 8] = ["String", "u8", "u16", "u32", "u64", "usize", "i32", "i64"];

/// How a type serves as an object's key, as serde allows it.
pub enum Key<'a> {
    /// Through its JSON string: a conversion from or into `String`, or a unit-only enum.
    Text,
    /// A newtype over a string or an integer: its field's key.
    Field(&'a syn::Field),
}

/// Whether the type can be a key, and how; `conversion` is the type it is read from or written as, if any.
pub fn key<'a>(input: &'a DeriveInput, c: &Container, conversion: Option<&Type>) -> Option<Key<'a>> {
    if !input.generics.params.is_empty() {
        return None;
    }
    match (conversion, &input.data) {
        (Some(t), _) => is_named(t, &["String"]).then_some(Key::Text),
        (None, Data::Struct(s)) if s.fields.len() == 1 && (c.transparent || matches!(s.fields, Fields::Unnamed(_))) => {
            s.fields.iter().next().filter(|f| is_named(&f.ty, &KEY_TYPES)).map(Key::Field)
        }
        (None, Data::Enum(e)) if c.tag.is_none() && e.variants.iter().all(|v| v.fields.is_empty()) => Some(Key::Text),
        _ => None,
    }
}

/// The type's generics with `bound` on every type parameter (a `Vec<T>` field reads when `T` does).
pub fn bounded(generics: &Generics, bound: TypeParamBound) -> Generics {
    let mut generics = generics.clone();
    for p in generics.type_params_mut() {
        p.bounds.push(bound.clone());
    }
    generics
}
