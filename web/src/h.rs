//! What the portal's `html!` (`web/macros`) builds elements with: one function per kind of element (Yew's `VTag`
//! constructors behind a call rather than written out at every element), and static trees for markup with nothing
//! dynamic in it. The nodes are the ones Yew's `html!` would make; only the code making them is shared.

mod host;

pub use host::host;

use std::rc::Rc;
use yew::callback::Callback;
use yew::html::NodeRef;
use yew::utils::NodeSeq;
use yew::virtual_dom::listeners::Listeners;
use yew::virtual_dom::{AttrValue, AttributeOrProperty, Attributes, Key, VList, VNode, VTag, VText};

/// Markup with nothing dynamic in it.
pub enum S {
    /// Tag, attributes, children.
    E(&'static str, &'static [(&'static str, AttributeOrProperty)], &'static [S]),
    T(&'static str),
}

/// An element with static attributes and neither key nor ref: most elements, so their calls leave out what `tag`
/// would be given as defaults.
pub fn el(
    name: &'static str,
    attrs: &'static [(&'static str, AttributeOrProperty)],
    listeners: Listeners,
    children: VNode,
) -> VNode {
    tag(name, None, None, Attributes::Static(attrs), listeners, children)
}

/// Any other element but an input or a textarea. The node ref is an `Option`, so an element without one (nearly all)
/// passes a constant rather than making an empty ref where it is written.
pub fn tag(
    tag: &'static str,
    node_ref: Option<NodeRef>,
    key: Option<Key>,
    attributes: Attributes,
    listeners: Listeners,
    children: VNode,
) -> VNode {
    VNode::from(VTag::__new_other(
        AttrValue::Static(tag),
        node_ref.unwrap_or_default(),
        key,
        attributes,
        listeners,
        children,
    ))
}

/// An `<input>`.
pub fn input(
    value: Option<AttrValue>,
    checked: Option<bool>,
    node_ref: Option<NodeRef>,
    key: Option<Key>,
    attributes: Attributes,
    listeners: Listeners,
) -> VNode {
    VNode::from(VTag::__new_input(value, checked, node_ref.unwrap_or_default(), key, attributes, listeners))
}

/// A `<textarea>`.
pub fn textarea(
    value: Option<AttrValue>,
    defaultvalue: Option<AttrValue>,
    node_ref: Option<NodeRef>,
    key: Option<Key>,
    attributes: Attributes,
    listeners: Listeners,
) -> VNode {
    VNode::from(VTag::__new_textarea(value, defaultvalue, node_ref.unwrap_or_default(), key, attributes, listeners))
}

/// An attribute whose value is known at run time; `None` leaves it out.
pub fn attr(value: Option<AttrValue>) -> Option<AttributeOrProperty> {
    value.map(AttributeOrProperty::Attribute)
}

/// A boolean attribute (`disabled`, `selected`, …): present when true.
pub fn flag(on: bool, name: &'static str) -> Option<AttributeOrProperty> {
    on.then_some(AttributeOrProperty::Static(name))
}

/// A text node of literal text. Inlined into its two callers, as when each wrote it out (out of line, the portal is
/// 1 KiB larger gzipped).
#[inline(always)]
fn text_node(text: &'static str) -> VNode {
    VNode::from(VText::new(AttrValue::Static(text)))
}

/// The nodes of static markup.
pub fn stat(s: &'static S) -> VNode {
    match s {
        S::T(text) => text_node(text),
        S::E(tag, attrs, children) => {
            let children = match children {
                [] => VNode::default(),
                [one] => stat(one),
                many => VNode::VList(Rc::new(VList::from(many.iter().map(stat).collect::<Vec<_>>()))),
            };
            el(tag, attrs, Listeners::None, children)
        }
    }
}

/// The children of a list being gathered, as Yew's `html!` gathers them (`web/macros`): the same nodes in the same
/// order, each added by a call here rather than by a vector extension compiled per iterator type.
#[derive(Default)]
pub struct Kids(Vec<VNode>);

impl Kids {
    /// Not inlined: it is the one copy of the vector's growth that every child of every list goes through.
    #[inline(never)]
    pub fn one(&mut self, node: VNode) {
        self.0.push(node);
    }

    /// A child element: the node [`el`] makes, added by one call so that the node is not carried from one call to
    /// the next where the markup is written. Likewise [`Kids::tag`], [`Kids::input`], [`Kids::textarea`] and
    /// [`Kids::stat`].
    #[inline(never)]
    pub fn el(
        &mut self,
        name: &'static str,
        attrs: &'static [(&'static str, AttributeOrProperty)],
        listeners: Listeners,
        children: VNode,
    ) {
        self.one(el(name, attrs, listeners, children));
    }

    #[inline(never)]
    pub fn tag(
        &mut self,
        name: &'static str,
        node_ref: Option<NodeRef>,
        key: Option<Key>,
        attributes: Attributes,
        listeners: Listeners,
        children: VNode,
    ) {
        self.one(tag(name, node_ref, key, attributes, listeners, children));
    }

    #[inline(never)]
    pub fn input(
        &mut self,
        value: Option<AttrValue>,
        checked: Option<bool>,
        node_ref: Option<NodeRef>,
        key: Option<Key>,
        attributes: Attributes,
        listeners: Listeners,
    ) {
        self.one(input(value, checked, node_ref, key, attributes, listeners));
    }

    #[inline(never)]
    pub fn textarea(
        &mut self,
        value: Option<AttrValue>,
        defaultvalue: Option<AttrValue>,
        node_ref: Option<NodeRef>,
        key: Option<Key>,
        attributes: Attributes,
        listeners: Listeners,
    ) {
        self.one(textarea(value, defaultvalue, node_ref, key, attributes, listeners));
    }

    #[inline(never)]
    pub fn stat(&mut self, s: &'static S) {
        self.one(stat(s));
    }

    /// `{ "text" }`.
    pub fn text(&mut self, text: &'static str) {
        self.one(text_node(text));
    }

    /// `{ expr }`: a node, an `Option` of one or a vector of them, as Yew reads a block.
    pub fn seq<IN>(&mut self, nodes: NodeSeq<IN, VNode>) {
        for node in nodes {
            self.one(node);
        }
    }

    /// `{ for iter }`.
    pub fn each<I: IntoIterator>(&mut self, items: I)
    where
        I::Item: Into<VNode>,
    {
        for item in items {
            self.one(item.into());
        }
    }

    /// The list, as Yew's `<>…</>` makes it.
    pub fn list(self) -> VNode {
        VNode::VList(Rc::new(VList::with_children(self.0, None)))
    }
}

/// `Callback::from(f)`, with `f` behind a one-method trait of its own inside a closure shared by every callback of
/// the same event type. A closure coerced to `dyn Fn` gets a vtable holding `FnOnce` and `FnMut` entry points too,
/// compiled for each of the portal's few hundred callbacks and never called.
pub fn cb<IN: 'static, OUT: 'static>(f: impl Fn(IN) -> OUT + 'static) -> Callback<IN, OUT> {
    wrap(Rc::new(f))
}

trait Handler<IN, OUT> {
    fn handle(&self, input: IN) -> OUT;
}

impl<IN, OUT, F: Fn(IN) -> OUT> Handler<IN, OUT> for F {
    fn handle(&self, input: IN) -> OUT {
        self(input)
    }
}

#[inline(never)]
fn wrap<IN: 'static, OUT: 'static>(handler: Rc<dyn Handler<IN, OUT>>) -> Callback<IN, OUT> {
    Callback::from(move |input| handler.handle(input))
}

/// `Callback::reform` through [`cb`]: a callback that maps its input by `f` and passes it on to this one.
pub trait Adapt<IN, OUT> {
    fn adapt<T: 'static>(&self, f: impl Fn(T) -> IN + 'static) -> Callback<T, OUT>;
}

impl<IN: 'static, OUT: 'static> Adapt<IN, OUT> for Callback<IN, OUT> {
    fn adapt<T: 'static>(&self, f: impl Fn(T) -> IN + 'static) -> Callback<T, OUT> {
        let this = self.clone();
        cb(move |input| this.emit(f(input)))
    }
}

#[cfg(test)]
mod tests {
    use super::{cb, Adapt};
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn a_callback_runs_its_closure_and_an_adapted_one_maps_the_input_first() {
        let seen = Rc::new(Cell::new(0));
        let add = cb({
            let seen = Rc::clone(&seen);
            move |n: u32| {
                seen.set(seen.get() + n);
                seen.get()
            }
        });
        assert_eq!(add.emit(2), 2);
        let from_text = add.adapt(|s: &'static str| s.len() as u32);
        assert_eq!(from_text.emit("abc"), 5);
        assert_eq!(seen.get(), 5);
    }
}
