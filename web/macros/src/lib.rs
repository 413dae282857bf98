//! The portal's `html!`. It reads Yew's markup and builds every element itself, by a call to one of a few shared
//! functions (`crate::h::el`, `tag`, `input`, `textarea`) with the element's tag, attributes, listeners and children;
//! a subtree with nothing dynamic in it becomes one static value that `crate::h::stat` turns into nodes. Yew's own
//! expansion writes each element's fields out in place, a few dozen instructions per element. The nodes built are the
//! ones Yew would build (the same attributes in the same order, the same children), so rendering and diffing are
//! unchanged.
//!
//! Lists of children are gathered by `crate::h::Kids`, a call per child, `{ block }`s and `{ for … }`s included.
//!
//! A component's props are built by `yew::html_nested!` from the markup as written (less the key), and the component
//! is mounted by `crate::h::host`, under one Yew component type for all of them.
//!
//! Fragments and anything this does not build (`~property`, dynamic tag names, an attribute given twice, a key by
//! shorthand) go to `yew::html!` as written, their children still looked through; markup this cannot read at all
//! (a component with generics among it) goes to Yew whole, so Yew reports the error.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};

#[proc_macro]
pub fn html(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand(input.into()).into()
}

fn expand(input: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = input.clone().into_iter().collect();
    let mut p = Parser { t: &tokens, i: 0 };
    match p.nodes(End::Input) {
        Some(nodes) if p.i == tokens.len() => match nodes.as_slice() {
            [Node::Element(e)] => e.expr(),
            [Node::Component(c)] => c.expr(),
            [Node::Raw(block)] if for_block(block).is_some() => children_expr(&nodes),
            _ => {
                let inner = yew_context(&nodes);
                yew(inner)
            }
        },
        _ => yew(input),
    }
}

enum Node {
    /// Tokens given to Yew as they are: a `{ block }`, a literal, an `if` or `for` whose bodies were looked through.
    Raw(TokenStream),
    /// `{ "text" }`.
    Text(Literal),
    Element(Element),
    Component(Component),
    /// Something Yew builds (a fragment, an element this does not build, a component it is left to), with its
    /// children looked through.
    Wrapped {
        open: TokenStream,
        children: Vec<Node>,
        close: TokenStream,
    },
}

/// A component, whose props Yew's `html_nested!` builds from the markup as written (less its key), mounted by
/// `crate::h::host`.
struct Component {
    open: TokenStream,
    key: Option<TokenStream>,
    children: Vec<Node>,
    close: TokenStream,
}

impl Component {
    /// The component's node.
    fn expr(&self) -> TokenStream {
        let Component { open, key, children, close } = self;
        let inner = yew_context(children);
        let key = match key {
            Some(e) => quote!(::std::option::Option::Some(::std::convert::Into::<::yew::virtual_dom::Key>::into(#e))),
            None => quote!(::std::option::Option::None),
        };
        quote!(crate::h::host(::yew::html_nested! { #open #inner #close }, #key))
    }
}

struct Element {
    tag: String,
    span: Span,
    kind: Kind,
    /// Attributes in the order Yew applies them: the others as written, then `value` and `checked` (of an element
    /// other than an input), then the boolean ones, then `class`.
    attrs: Vec<(String, Value)>,
    /// An input's `value` and `checked`, a textarea's `value` and `defaultvalue`: the expressions Yew gives
    /// `VTag::__new_input` / `__new_textarea`.
    special: [Option<TokenStream>; 2],
    key: Option<TokenStream>,
    node_ref: Option<TokenStream>,
    /// Listener name (`onclick`) and its `{ value }`.
    listeners: Vec<(Ident, Group)>,
    children: Vec<Node>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Input,
    Textarea,
    Other,
}

enum Value {
    /// A string literal.
    Static(Literal),
    /// An expression of type `Option<AttributeOrProperty>`.
    Dynamic(TokenStream),
}

impl Element {
    /// Nothing in it is known only at run time.
    fn is_static(&self) -> bool {
        self.kind == Kind::Other
            && self.key.is_none()
            && self.node_ref.is_none()
            && self.listeners.is_empty()
            && self.attrs.iter().all(|(_, v)| matches!(v, Value::Static(_)))
            && self.children.iter().all(|c| match c {
                Node::Text(_) => true,
                Node::Element(e) => e.is_static(),
                _ => false,
            })
    }

    /// The attributes as `&[(name, AttributeOrProperty)]`, when all are literals.
    fn static_attrs(&self) -> Option<TokenStream> {
        let mut kv = Vec::new();
        for (k, v) in &self.attrs {
            match v {
                Value::Static(v) => kv.push(quote!((#k, ::yew::virtual_dom::AttributeOrProperty::Static(#v)))),
                Value::Dynamic(_) => return None,
            }
        }
        Some(quote!(&[#(#kv),*]))
    }

    /// The attributes as a `yew::virtual_dom::Attributes`.
    fn attributes(&self) -> TokenStream {
        if let Some(kv) = self.static_attrs() {
            return quote!(::yew::virtual_dom::Attributes::Static(#kv));
        }
        let keys = self.attrs.iter().map(|(k, _)| k);
        let values = self.attrs.iter().map(|(_, v)| match v {
            Value::Static(v) => {
                quote!(::std::option::Option::Some(::yew::virtual_dom::AttributeOrProperty::Static(#v)))
            }
            Value::Dynamic(e) => e.clone(),
        });
        quote!(::yew::virtual_dom::Attributes::Dynamic {
            keys: &[#(#keys),*],
            values: ::std::boxed::Box::new([#(#values),*]),
        })
    }

    /// The static tree of a static element.
    fn tree(&self) -> TokenStream {
        let tag = &self.tag;
        let attrs = self.static_attrs().unwrap_or_default();
        let kids = self.children.iter().map(|c| match c {
            Node::Text(lit) => quote!(crate::h::S::T(#lit)),
            Node::Element(e) => e.tree(),
            _ => TokenStream::new(),
        });
        quote!(crate::h::S::E(#tag, #attrs, &[#(#kids),*]))
    }

    /// An expression of type `VNode`.
    fn expr(&self) -> TokenStream {
        self.built_by(&quote!(crate::h::))
    }

    /// The call that builds the element: `by` is `crate::h::`, for its node, or `kids.`, for the `crate::h::Kids`
    /// method of the same name and arguments that adds it to a list being gathered.
    fn built_by(&self, by: &TokenStream) -> TokenStream {
        if self.is_static() {
            let tree = self.tree();
            return quote_spanned!(self.span=> #by stat(&#tree));
        }
        let tag = &self.tag;
        let listeners = match self.listeners.is_empty() {
            true => quote!(::yew::virtual_dom::listeners::Listeners::None),
            false => {
                let each = self.listeners.iter().map(|(name, value)| {
                    let value = unbrace(value);
                    quote_spanned!(name.span()=> ::yew::html::#name::Wrapper::__macro_new(#value))
                });
                quote!(::yew::virtual_dom::listeners::Listeners::Pending(::std::boxed::Box::new([#(#each),*])))
            }
        };
        let node_ref = match &self.node_ref {
            Some(e) => {
                quote!(::std::option::Option::Some(::yew::html::IntoPropValue::<::yew::html::NodeRef>::into_prop_value(#e)))
            }
            None => quote!(::std::option::Option::None),
        };
        let key = match &self.key {
            Some(e) => quote!(::std::option::Option::Some(::std::convert::Into::<::yew::virtual_dom::Key>::into(#e))),
            None => quote!(::std::option::Option::None),
        };
        let attrs = self.attributes();
        let [first, second] = &self.special;
        let none = quote!(::std::option::Option::None);
        let attr_value = |e| quote!(::yew::html::IntoPropValue::<::std::option::Option<::yew::virtual_dom::AttrValue>>::into_prop_value(#e));
        let value = first.as_ref().map_or(none.clone(), attr_value);
        match self.kind {
            Kind::Input => {
                let checked = second.as_ref().map_or(none, |e| quote!(::std::option::Option::Some(#e)));
                quote_spanned!(self.span=> #by input(#value, #checked, #node_ref, #key, #attrs, #listeners))
            }
            Kind::Textarea => {
                let default = second.as_ref().map_or(none, attr_value);
                quote_spanned!(self.span=> #by textarea(#value, #default, #node_ref, #key, #attrs, #listeners))
            }
            Kind::Other => {
                let children = children_expr(&self.children);
                match (&self.key, &self.node_ref, self.static_attrs()) {
                    (None, None, Some(kv)) => {
                        quote_spanned!(self.span=> #by el(#tag, #kv, #listeners, #children))
                    }
                    _ => {
                        quote_spanned!(self.span=> #by tag(#tag, #node_ref, #key, #attrs, #listeners, #children))
                    }
                }
            }
        }
    }
}

/// The children of an element as one `VNode`, the way Yew's expansion makes them.
fn children_expr(children: &[Node]) -> TokenStream {
    let into = quote!(::yew::html::IntoPropValue::<::yew::virtual_dom::VNode>::into_prop_value);
    match children {
        [] => return quote!(::std::default::Default::default()),
        [Node::Element(e)] => return e.expr(),
        [Node::Text(lit)] => return quote!(#into(#lit)),
        // A component: its node, not a list of one.
        [Node::Component(c)] => return c.expr(),
        [Node::Wrapped { .. }] => return yew(yew_context(children)),
        [Node::Raw(block)] => {
            if let Some(g) = node_block(block) {
                let value = unbrace(&g);
                return quote!(#into(#value));
            }
        }
        _ => {}
    }
    gathered(children)
}

/// Children in a list, gathered by `crate::h::Kids` one at a time: the same nodes in the same list as Yew's
/// `<>…</>`, but each is added by a call to one shared function, where Yew's expansion compiles a vector extension
/// per `{ for … }` iterator and an array per list length.
fn gathered(children: &[Node]) -> TokenStream {
    // Hygienic, so the name cannot meet one in the markup's expressions.
    let k = Ident::new("__kids", Span::mixed_site());
    let mut steps = TokenStream::new();
    for c in children {
        steps.extend(match c {
            Node::Text(lit) => quote!(#k.text(#lit);),
            Node::Element(e) => {
                let call = e.built_by(&quote!(#k.));
                quote!(#call;)
            }
            Node::Component(component) => {
                let node = component.expr();
                quote!(#k.one(#node);)
            }
            Node::Wrapped { .. } => {
                let node = yew(yew_context(std::slice::from_ref(c)));
                quote!(#k.one(#node);)
            }
            Node::Raw(block) => match (for_block(block), node_block(block)) {
                (Some(iter), _) => quote!(#k.each(#iter);),
                (None, Some(g)) => {
                    let value = unbrace(&g);
                    quote!(#k.seq(::std::convert::Into::<::yew::utils::NodeSeq<_, ::yew::virtual_dom::VNode>>::into(#value));)
                }
                // `if`, `for … in` or a bare literal: one node, which Yew builds alone as it would in a list.
                (None, None) => {
                    let node = yew(block.clone());
                    quote!(#k.one(#node);)
                }
            },
        });
    }
    quote!({
        let mut #k = crate::h::Kids::default();
        #steps
        #k.list()
    })
}

/// The iterator of a `{ for iter }`.
fn for_block(tokens: &TokenStream) -> Option<TokenStream> {
    let mut it = tokens.clone().into_iter();
    match (it.next(), it.next()) {
        (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::Brace => {
            let mut inner = g.stream().into_iter();
            match inner.next() {
                Some(TokenTree::Ident(i)) if i == "for" => Some(inner.collect()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A component's opening tag without its `key = value`, and the key's expression. None when the key is given some
/// other way (`{key}`), which is left to Yew.
fn split_key(open: &TokenStream) -> Option<(TokenStream, Option<TokenStream>)> {
    let tokens: Vec<TokenTree> = open.clone().into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut key = None;
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        let is_key = matches!(t, TokenTree::Ident(id) if id == "key");
        let after_name = !matches!(out.last(), Some(TokenTree::Punct(p)) if p.as_char() == ':' || p.as_char() == '.');
        match (is_key && after_name, tokens.get(i + 1), tokens.get(i + 2)) {
            (true, Some(TokenTree::Punct(eq)), Some(value)) if eq.as_char() == '=' => {
                key = Some(match value {
                    TokenTree::Group(g) => unbrace(g),
                    other => other.clone().into(),
                });
                i += 3;
            }
            _ => {
                if matches!(t, TokenTree::Group(g) if shorthand(g).is_some_and(|n| n == "key")) {
                    return None;
                }
                out.push(t.clone());
                i += 1;
            }
        }
    }
    Some((out.into_iter().collect(), key))
}

/// Markup for Yew to build.
fn yew(markup: TokenStream) -> TokenStream {
    quote!(::yew::html! { #markup })
}

/// A `{ expr }` that is one node, not Yew's `{ for iter }`.
fn node_block(tokens: &TokenStream) -> Option<Group> {
    let mut it = tokens.clone().into_iter();
    match (it.next(), it.next()) {
        (Some(TokenTree::Group(g)), None)
            if g.delimiter() == Delimiter::Brace
                && !matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "for") =>
        {
            Some(g)
        }
        _ => None,
    }
}

/// A `{ block }` as an argument: the bare expression when it is one, so the braces do not trip `unused_braces`; the
/// block as written when it has statements.
fn unbrace(g: &Group) -> TokenStream {
    let has_statement = g.stream().into_iter().any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
    match g.delimiter() == Delimiter::Brace && !has_statement && !g.stream().is_empty() {
        true => g.stream(),
        false => TokenTree::Group(g.clone()).into(),
    }
}

/// The nodes as markup for `yew::html!`, elements built here in `{ }`.
fn yew_context(nodes: &[Node]) -> TokenStream {
    let mut out = TokenStream::new();
    for n in nodes {
        match n {
            Node::Raw(t) => out.extend(t.clone()),
            Node::Text(lit) => out.extend(quote!({ #lit })),
            Node::Element(e) => {
                let expr = e.expr();
                out.extend(quote!({ #expr }));
            }
            Node::Component(c) => {
                let node = c.expr();
                out.extend(quote!({ #node }));
            }
            Node::Wrapped { open, children, close } => {
                out.extend(open.clone());
                out.extend(yew_context(children));
                out.extend(close.clone());
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum End {
    Input,
    Closing,
}

struct Parser<'a> {
    t: &'a [TokenTree],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self, n: usize) -> Option<&TokenTree> {
        self.t.get(self.i + n)
    }

    fn punct(&self, n: usize, c: char) -> bool {
        matches!(self.peek(n), Some(TokenTree::Punct(p)) if p.as_char() == c)
    }

    fn ident(&self, n: usize, name: &str) -> bool {
        matches!(self.peek(n), Some(TokenTree::Ident(i)) if i == name)
    }

    fn take(&mut self) -> Option<TokenTree> {
        let t = self.t.get(self.i)?.clone();
        self.i += 1;
        Some(t)
    }

    /// Nodes up to the end of the input, or up to a closing tag `</`.
    fn nodes(&mut self, end: End) -> Option<Vec<Node>> {
        let mut out = Vec::new();
        loop {
            match self.peek(0) {
                None => return (end == End::Input).then_some(out),
                Some(TokenTree::Punct(p)) if p.as_char() == '<' => {
                    if self.punct(1, '/') {
                        return (end == End::Closing).then_some(out);
                    }
                    out.push(self.tag()?);
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                    let g = g.clone();
                    self.i += 1;
                    out.push(match text_literal(&g) {
                        Some(lit) => Node::Text(lit),
                        None => Node::Raw(TokenTree::Group(g).into()),
                    });
                }
                Some(TokenTree::Literal(_)) => {
                    let lit = self.take()?;
                    out.push(Node::Raw(lit.into()));
                }
                Some(TokenTree::Ident(i)) if i == "if" || i == "for" => out.push(Node::Raw(self.control()?)),
                _ => return None,
            }
        }
    }

    /// `if cond { nodes } else if … else { nodes }` or `for pat in iter { nodes }`, with the bodies looked through.
    fn control(&mut self) -> Option<TokenStream> {
        let mut out = TokenStream::new();
        loop {
            // The keyword and the condition or iterator, up to the body.
            loop {
                match self.take()? {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                        out.extend([TokenTree::Group(body(&g)?)]);
                        break;
                    }
                    t => out.extend([t]),
                }
            }
            if !self.ident(0, "else") {
                return Some(out);
            }
            out.extend([self.take()?]);
            if !self.ident(0, "if") {
                match self.take()? {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                        out.extend([TokenTree::Group(body(&g)?)]);
                        return Some(out);
                    }
                    _ => return None,
                }
            }
        }
    }

    /// A tag at `<`: an element, a component or a fragment, with its children and closing tag.
    fn tag(&mut self) -> Option<Node> {
        let start = self.i;
        self.i += 1;
        // `<>` fragment.
        if self.punct(0, '>') {
            self.i += 1;
            let children = self.nodes(End::Closing)?;
            let close = self.closing(None)?;
            let open: TokenStream = self.t[start..start + 2].iter().cloned().collect();
            return Some(Node::Wrapped { open, children, close });
        }
        let (name, span) = self.name()?;
        let element = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !element {
            // A component (or a tag this leaves to Yew): its props up to `>` or `/>`, as they are.
            if self.punct(0, '<') {
                return None;
            }
            let self_closing = loop {
                match self.peek(0)? {
                    TokenTree::Punct(p) if p.as_char() == '/' && self.punct(1, '>') => {
                        self.i += 2;
                        break true;
                    }
                    TokenTree::Punct(p) if p.as_char() == '>' => {
                        self.i += 1;
                        break false;
                    }
                    _ => self.i += 1,
                }
            };
            let open: TokenStream = self.t[start..self.i].iter().cloned().collect();
            let (children, close) = match self_closing {
                true => (Vec::new(), TokenStream::new()),
                false => (self.nodes(End::Closing)?, self.closing(Some(&name))?),
            };
            // Yew's rule: a name whose last part starts with a capital is a component.
            let component =
                name.rsplit("::").next().and_then(|n| n.chars().next()).is_some_and(|c| c.is_ascii_uppercase());
            return Some(match component.then(|| split_key(&open)).flatten() {
                Some((open, key)) => Node::Component(Component { open, key, children, close }),
                None => Node::Wrapped { open, children, close },
            });
        }
        let kind = match name.as_str() {
            "input" => Kind::Input,
            "textarea" => Kind::Textarea,
            _ => Kind::Other,
        };
        let mut compact = true;
        let mut a = Attrs::default();
        let mut seen = Vec::new();
        let self_closing = loop {
            if self.punct(0, '/') && self.punct(1, '>') {
                self.i += 2;
                break true;
            }
            if self.punct(0, '>') {
                self.i += 1;
                break false;
            }
            let (attr, attr_span, given) = match self.peek(0)? {
                TokenTree::Ident(_) => {
                    let (attr, attr_span) = self.name()?;
                    if !self.punct(0, '=') {
                        return None;
                    }
                    self.i += 1;
                    let given = match self.take()? {
                        TokenTree::Literal(lit) if is_str(&lit) => Given::Str(lit),
                        TokenTree::Ident(b) if b == "true" || b == "false" => Given::Bool(b == "true", b),
                        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => Given::Block(g),
                        TokenTree::Literal(_) => {
                            compact = false;
                            continue;
                        }
                        _ => return None,
                    };
                    (attr, attr_span, given)
                }
                // `{onclick}`, short for `onclick={onclick}`.
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && shorthand(g).is_some() => {
                    let g = g.clone();
                    self.i += 1;
                    let attr = shorthand(&g)?;
                    (attr.to_string(), attr.span(), Given::Block(g))
                }
                // `~property` and the like: Yew's to build.
                TokenTree::Group(_) => {
                    compact = false;
                    self.i += 1;
                    continue;
                }
                TokenTree::Punct(p) if p.as_char() == '~' => {
                    compact = false;
                    self.i += 1;
                    continue;
                }
                _ => return None,
            };
            // Yew refuses a repeated attribute; it gets the element to say so.
            compact &= !seen.contains(&attr);
            seen.push(attr.clone());
            compact &= a.add(kind, attr, attr_span, given);
        };
        let open: TokenStream = self.t[start..self.i].iter().cloned().collect();
        let children = match self_closing {
            true => Vec::new(),
            false => self.nodes(End::Closing)?,
        };
        let close = match self_closing {
            true => TokenStream::new(),
            false => self.closing(Some(&name))?,
        };
        if !compact || (kind != Kind::Other && !children.is_empty()) {
            return Some(Node::Wrapped { open, children, close });
        }
        let Attrs { mut attrs, value, checked, booleans, class, special, key, node_ref, listeners } = a;
        attrs.extend(value);
        attrs.extend(checked);
        attrs.extend(booleans);
        attrs.extend(class);
        Some(Node::Element(Element { tag: name, span, kind, attrs, special, key, node_ref, listeners, children }))
    }

    /// A tag or attribute name: `div`, `data-testid`, `crate::pages::Page`. Joined as written, without spaces.
    fn name(&mut self) -> Option<(String, Span)> {
        let TokenTree::Ident(first) = self.take()? else { return None };
        let span = first.span();
        let mut name = first.to_string();
        loop {
            if self.punct(0, '-') && matches!(self.peek(1), Some(TokenTree::Ident(_))) {
                name.push('-');
                self.i += 1;
            } else if self.punct(0, ':') && self.punct(1, ':') {
                name.push_str("::");
                self.i += 2;
            } else {
                return Some((name, span));
            }
            let TokenTree::Ident(next) = self.take()? else { return None };
            name.push_str(&next.to_string());
        }
    }

    /// `</name>` (or `</>` for a fragment), checked against the opening tag.
    fn closing(&mut self, name: Option<&str>) -> Option<TokenStream> {
        let start = self.i;
        if !(self.punct(0, '<') && self.punct(1, '/')) {
            return None;
        }
        self.i += 2;
        if let Some(name) = name {
            if self.name()?.0 != name {
                return None;
            }
        }
        match self.take()? {
            TokenTree::Punct(p) if p.as_char() == '>' => {}
            _ => return None,
        }
        Some(self.t[start..self.i].iter().cloned().collect())
    }
}

/// The name in a `{name}` attribute.
fn shorthand(g: &Group) -> Option<Ident> {
    let mut it = g.stream().into_iter();
    match (it.next(), it.next()) {
        (Some(TokenTree::Ident(i)), None) => Some(i),
        _ => None,
    }
}

/// An attribute's value as written.
enum Given {
    Str(Literal),
    Bool(bool, Ident),
    Block(Group),
}

/// Yew's attributes with special meaning: booleans are present or absent, and an input's `value` and `checked` are
/// properties rather than attributes.
const BOOLEANS: [&str; 26] = [
    "allowfullscreen",
    "async",
    "autofocus",
    "autoplay",
    "controls",
    "default",
    "defer",
    "disabled",
    "formnovalidate",
    "hidden",
    "inert",
    "ismap",
    "itemscope",
    "loop",
    "multiple",
    "muted",
    "nomodule",
    "novalidate",
    "open",
    "playsinline",
    "readonly",
    "required",
    "reversed",
    "selected",
    "truespeed",
    "webkitdirectory",
];

/// An element's attributes as they are read, sorted into the groups Yew orders them by.
#[derive(Default)]
struct Attrs {
    attrs: Vec<(String, Value)>,
    value: Option<(String, Value)>,
    checked: Option<(String, Value)>,
    booleans: Vec<(String, Value)>,
    class: Option<(String, Value)>,
    special: [Option<TokenStream>; 2],
    key: Option<TokenStream>,
    node_ref: Option<TokenStream>,
    listeners: Vec<(Ident, Group)>,
}

impl Attrs {
    /// Files one attribute; false when it is one this does not build (Yew then builds the element, and reports what
    /// is wrong with it).
    fn add(&mut self, kind: Kind, attr: String, span: Span, given: Given) -> bool {
        let expr = |given: &Given| match given {
            Given::Str(lit) => lit.to_token_stream(),
            Given::Bool(_, b) => b.to_token_stream(),
            Given::Block(g) => unbrace(g),
        };
        let into_attr = |e: TokenStream| quote!(crate::h::attr(::yew::html::IntoPropValue::<::std::option::Option<::yew::virtual_dom::AttrValue>>::into_prop_value(#e)));
        let plain = |given: Given| match given {
            Given::Str(lit) => Some(Value::Static(lit)),
            Given::Block(g) => Some(Value::Dynamic(into_attr(unbrace(&g)))),
            Given::Bool(..) => None,
        };
        let special = match (kind, attr.as_str()) {
            (Kind::Input, "value") | (Kind::Textarea, "value") => Some(0),
            (Kind::Input, "checked") | (Kind::Textarea, "defaultvalue") => Some(1),
            _ => None,
        };
        if let Some(i) = special {
            let slot = &mut self.special[i];
            *slot = Some(expr(&given));
            return !matches!(given, Given::Bool(..)) || i == 1 && kind == Kind::Input;
        }
        if kind != Kind::Other && matches!(attr.as_str(), "value" | "checked" | "defaultvalue")
            || kind == Kind::Other && attr == "defaultvalue"
        {
            // Yew drops these without a word; left to it so nothing here differs.
            return false;
        }
        if attr.starts_with("on") {
            return match given {
                Given::Block(g) => {
                    self.listeners.push((Ident::new(&attr, span), g));
                    true
                }
                _ => false,
            };
        }
        match attr.as_str() {
            "key" => {
                self.key = Some(expr(&given));
                !matches!(given, Given::Bool(..))
            }
            "ref" => match given {
                Given::Block(g) => {
                    self.node_ref = Some(unbrace(&g));
                    true
                }
                _ => false,
            },
            "class" => match given {
                Given::Str(lit) if lit.to_string() == "\"\"" => true,
                Given::Str(lit) => {
                    self.class = Some((attr, Value::Static(lit)));
                    true
                }
                Given::Block(g) => {
                    let e = unbrace(&g);
                    let value = into_attr(quote!(::std::convert::Into::<::yew::html::Classes>::into(#e)));
                    self.class = Some((attr, Value::Dynamic(value)));
                    true
                }
                Given::Bool(..) => false,
            },
            a if BOOLEANS.contains(&a) => {
                let key = Literal::string(a);
                match given {
                    Given::Bool(true, _) => self.booleans.push((attr, Value::Static(key))),
                    Given::Bool(false, _) => {}
                    Given::Block(g) => {
                        let e = unbrace(&g);
                        self.booleans.push((attr, Value::Dynamic(quote!(crate::h::flag(#e, #key)))));
                    }
                    Given::Str(_) => return false,
                }
                true
            }
            "value" | "checked" => match plain(given) {
                Some(v) => {
                    let slot = if attr == "value" { &mut self.value } else { &mut self.checked };
                    *slot = Some((attr, v));
                    true
                }
                None => false,
            },
            _ => match plain(given) {
                Some(v) => {
                    self.attrs.push((attr, v));
                    true
                }
                None => false,
            },
        }
    }
}

/// A body of `if`/`for`, its nodes looked through.
fn body(g: &Group) -> Option<Group> {
    let tokens: Vec<TokenTree> = g.stream().into_iter().collect();
    let mut p = Parser { t: &tokens, i: 0 };
    let nodes = p.nodes(End::Input)?;
    let mut out = Group::new(Delimiter::Brace, yew_context(&nodes));
    out.set_span(g.span());
    Some(out)
}

/// The string literal of a `{ "text" }` block.
fn text_literal(g: &Group) -> Option<Literal> {
    let mut it = g.stream().into_iter();
    match (it.next(), it.next()) {
        (Some(TokenTree::Literal(lit)), None) if is_str(&lit) => Some(lit),
        _ => None,
    }
}

fn is_str(lit: &Literal) -> bool {
    let s = lit.to_string();
    s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#")
}

#[cfg(test)]
mod tests {
    use super::expand;

    /// The expansion of `markup`, without spaces (literals in tests have none), so tests can look for pieces of it.
    fn expanded(markup: &str) -> String {
        let input: proc_macro2::TokenStream = markup.parse().unwrap_or_else(|e| panic!("{markup}: {e}"));
        expand(input).to_string().split_whitespace().collect()
    }

    #[test]
    fn static_markup_becomes_one_static_tree() {
        let out = expanded(r#"<p class="hint">{ "Empty." }<b>{ "!" }</b></p>"#);
        assert!(out.starts_with("crate::h::stat(&crate::h::S::E(\"p\""), "{out}");
        assert!(out.contains("crate::h::S::T(\"Empty.\")"), "{out}");
        assert!(out.contains("crate::h::S::E(\"b\""), "{out}");
        assert!(!out.contains("yew::html!"), "{out}");
    }

    #[test]
    fn literal_attributes_with_a_listener_are_static_and_class_goes_last() {
        let out = expanded(r#"<button class="button" type="button" onclick={on_click}>{ "Save" }</button>"#);
        assert!(out.starts_with("crate::h::el(\"button\""), "{out}");
        let ty = out.find("(\"type\"").expect("type");
        let class = out.find("(\"class\"").expect("class");
        assert!(ty < class, "Yew applies class last: {out}");
        assert!(out.contains("::yew::html::onclick::Wrapper::__macro_new(on_click)"), "{out}");
    }

    #[test]
    fn dynamic_attributes_keep_yews_order_and_meaning() {
        let out =
            expanded(r#"<option class={c} value={v} id="x" selected={on} hidden=true disabled=false>{ "a" }</option>"#);
        assert!(out.starts_with("crate::h::tag(\"option\""), "{out}");
        assert!(out.contains(r#"keys:&["id","value","selected","hidden","class"]"#), "{out}");
        assert!(out.contains("crate::h::flag(on,\"selected\")"), "{out}");
        assert!(out.contains("::yew::virtual_dom::AttributeOrProperty::Static(\"hidden\")"), "{out}");
        assert!(!out.contains("disabled"), "a false boolean is left out: {out}");
        assert!(out.contains("Into::<::yew::html::Classes>::into(c)"), "{out}");
    }

    #[test]
    fn an_input_value_and_checked_are_properties_not_attributes() {
        let out = expanded(r#"<input type="checkbox" {checked} value={v} key={k} ref={r} {onchange} />"#);
        assert!(out.starts_with("crate::h::input("), "{out}");
        assert!(out.contains("::std::option::Option::Some(checked)"), "{out}");
        assert!(out.contains("Option::Some(::std::convert::Into::<::yew::virtual_dom::Key>::into(k))"), "{out}");
        assert!(out.contains("into_prop_value(r)"), "{out}");
        assert!(out.contains("Attributes::Static(&[(\"type\""), "value and checked are not attributes: {out}");
        assert!(out.contains("onchange::Wrapper::__macro_new(onchange)"), "{out}");
    }

    #[test]
    fn a_block_with_statements_keeps_its_braces_and_one_expression_loses_them() {
        let out = expanded(r#"<div onclick={ let x = 1; cb(x) } title={ t.clone() }></div>"#);
        assert!(out.contains("__macro_new({letx=1;cb(x)})"), "{out}");
        assert!(out.contains("into_prop_value(t.clone())"), "{out}");
    }

    #[test]
    fn components_are_hosted_with_their_props_built_by_yew_and_children_looked_through() {
        let out = expanded(r#"<Modal title="t"><p>{ "body" }</p><input ~value={v} /></Modal>"#);
        assert!(out.starts_with("crate::h::host(::yew::html_nested!{<Modaltitle=\"t\">"), "{out}");
        assert!(out.contains("{crate::h::stat(&crate::h::S::E(\"p\""), "{out}");
        assert!(out.contains("<input~value={v}/>"), "a property is Yew's to set: {out}");
        assert!(out.ends_with("</Modal>},::std::option::Option::None)"), "{out}");

        // The key is the host's; the props are the component's.
        let out = expanded(r#"<crate::a::Row key={r.id} row={r.clone()} {on_open} />"#);
        assert_eq!(
            out,
            "crate::h::host(::yew::html_nested!{<crate::a::Rowrow={r.clone()}{on_open}/>},\
             ::std::option::Option::Some(::std::convert::Into::<::yew::virtual_dom::Key>::into(r.id)))"
        );
        // A prop whose value mentions `key` is a prop.
        let out = expanded(r#"<Row title={x.key} />"#);
        assert!(out.contains("<Rowtitle={x.key}/>},::std::option::Option::None)"), "{out}");

        // A key given by shorthand, a fragment and a tag Yew would not read are Yew's to build.
        let out = expanded(r#"<div><Row {key} /><>{ "a" }</></div>"#);
        assert!(out.contains("__kids.one(::yew::html!{<Row{key}/>});"), "{out}");
        assert!(out.contains("__kids.one(::yew::html!{<>{\"a\"}</>});"), "{out}");
    }

    #[test]
    fn control_flow_bodies_are_looked_through() {
        let out =
            expanded(r#"<ul>if a { <li>{ "x" }</li> } else { <li>{ y }</li> } for i in items { <li>{ i }</li> }</ul>"#);
        assert!(out.contains("ifa{{crate::h::stat("), "{out}");
        assert!(out.contains("else{{crate::h::el(\"li\""), "{out}");
        assert!(out.contains("foriinitems{{crate::h::el(\"li\""), "{out}");
    }

    #[test]
    fn blocks_and_iterators_among_children_are_gathered_by_shared_calls() {
        let out = expanded(r#"<ul><li>{ "a" }</li>{ "b" }{ node }{ for items.iter().map(row) }<Item /></ul>"#);
        assert!(out.starts_with("crate::h::el(\"ul\""), "{out}");
        assert!(out.contains("letmut__kids=crate::h::Kids::default();__kids.stat("), "{out}");
        assert!(out.contains("__kids.text(\"b\");"), "{out}");
        assert!(
            out.contains(
                "__kids.seq(::std::convert::Into::<::yew::utils::NodeSeq<_,::yew::virtual_dom::VNode>>::into(node));"
            ),
            "{out}"
        );
        assert!(out.contains("__kids.each(items.iter().map(row));"), "{out}");
        assert!(
            out.contains("__kids.one(crate::h::host(::yew::html_nested!{<Item/>},::std::option::Option::None));"),
            "{out}"
        );

        // An element among children is built and added by one call of the same name on the list.
        let out = expanded(r#"<ul><li {onclick}>{ "a" }</li><input {value} /><li key="k">{ "b" }</li></ul>"#);
        assert!(out.contains("__kids.el(\"li\""), "{out}");
        assert!(out.contains("__kids.input("), "{out}");
        assert!(out.contains("__kids.tag(\"li\""), "{out}");
        assert!(!out.contains("__kids.one("), "{out}");

        let out = expanded(r#"{ for rows }"#);
        assert_eq!(out, "{letmut__kids=crate::h::Kids::default();__kids.each(rows);__kids.list()}");

        // An `if` is one node, built by Yew.
        let out = expanded(r#"<ul>{ node }if a { <li></li> }</ul>"#);
        assert!(out.contains("__kids.one(::yew::html!{ifa{"), "{out}");
        assert!(!out.contains("::yew::html!{<>"), "{out}");
    }

    #[test]
    fn markup_yew_would_refuse_is_left_for_yew_to_report() {
        for bad in [
            r#"<div id="a" id="b"></div>"#,
            r#"<textarea>{ "x" }</textarea>"#,
            r#"<div class="a" disabled="yes"></div>"#,
            r#"<div><span></div>"#,
        ] {
            let out = expanded(bad);
            assert!(out.starts_with("::yew::html!"), "{bad} => {out}");
            assert!(!out.contains("crate::h::"), "{bad} => {out}");
        }
    }

    /// Every portal file with markup reads it with this macro: a file that forgot `use crate::html;` would compile
    /// with Yew's (the prelude's glob import) and quietly bring the per-element code back.
    #[test]
    fn every_portal_file_with_markup_uses_the_portals_html() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
        let mut dirs = vec![src];
        let mut checked = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                if text.contains("html! {") || text.contains("html!{") {
                    checked += 1;
                    assert!(text.contains("use crate::html;"), "{} uses Yew's html!", path.display());
                }
                assert!(!text.contains("yew::html!"), "{} names Yew's html!", path.display());
            }
        }
        assert!(checked > 50, "only {checked} files with markup found: is the path right?");
    }
}
