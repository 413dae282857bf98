//! Every portal component is mounted as one Yew component, [`Host`], whose props carry the component's render
//! function with its props.
//!
//! Yew compiles its component machinery (mounting, reuse, props comparison, the scheduler's runners, the `Any` glue)
//! once per component type. Under one host type it is compiled once; a component adds a render closure. Measured on
//! the portal's 95 components: 21 KiB less gzipped (552.1 to 530.9 KiB).
//!
//! Yew reuses a mounted component when the next render puts a component of the same type at its place, so every
//! portal component would be "the same" to it. The host tells them apart by the component's `TypeId`: props of
//! another component compare unequal, and the host then drops the old component's hooks (running their cleanups)
//! and starts the new one from fresh hooks, as Yew does when it replaces a component.

use std::any::TypeId;
use std::rc::Rc;
use yew::functional::{FunctionComponent, FunctionProvider, HookContext};
use yew::html::{BaseComponent, Context, HtmlResult, Properties};
use yew::virtual_dom::{Key, VChild, VComp, VNode};

/// The component's render function with its props: the props stay typed inside, so nothing is cast back from `Any`
/// to render them. A trait of its own rather than `dyn Fn`, whose vtable would also hold `FnOnce` and `FnMut` entry
/// points compiled for every component and never called.
type Render = Rc<dyn Renders>;

trait Renders {
    fn render(&self, ctx: &mut HookContext) -> HtmlResult;
}

struct Rendered<C: FunctionProvider> {
    props: Rc<<C as FunctionProvider>::Properties>,
}

impl<C: FunctionProvider> Renders for Rendered<C> {
    fn render(&self, ctx: &mut HookContext) -> HtmlResult {
        C::run(ctx, &self.props)
    }
}

/// What `html!` puts where markup names a component: the component's props, built by Yew's `html_nested!` (so
/// every prop rule of Yew's markup holds), mounted under the host.
pub fn host<C>(child: VChild<C>, key: Option<Key>) -> VNode
where
    C: FunctionProvider + BaseComponent<Properties = <C as FunctionProvider>::Properties>,
    <C as FunctionProvider>::Properties: 'static,
{
    let props = child.props;
    mount(HostProps { component: TypeId::of::<C>(), render: Rc::new(Rendered::<C> { props }) }, key)
}

/// Out of line, so the node's construction is not copied into every component's `host`.
#[inline(never)]
fn mount(props: HostProps, key: Option<Key>) -> VNode {
    VNode::VComp(Rc::new(VComp::new::<Host>(Rc::new(props), key)))
}

#[derive(Clone)]
pub struct HostProps {
    component: TypeId,
    render: Render,
}

/// Props are the same only when they are the very same value (the same render closure): a component renders again
/// whenever its parent does, as React's do by default. Comparing them field by field compiled a comparison per props
/// type (6 KiB gzipped) to spare renders that cost the browser little, since Yew patches only what differs.
impl PartialEq for HostProps {
    fn eq(&self, other: &Self) -> bool {
        self.component == other.component && Rc::ptr_eq(&self.render, &other.render)
    }
}

impl Properties for HostProps {
    type Builder = ();

    fn builder() -> Self::Builder {}
}

pub struct Host {
    hooks: FunctionComponent<Host>,
    /// The component whose hooks `hooks` holds.
    component: TypeId,
}

impl FunctionProvider for Host {
    type Properties = HostProps;

    fn run(ctx: &mut HookContext, props: &HostProps) -> HtmlResult {
        props.render.render(ctx)
    }
}

impl BaseComponent for Host {
    type Message = ();
    type Properties = HostProps;

    fn create(ctx: &Context<Self>) -> Self {
        Self { hooks: FunctionComponent::new(ctx), component: ctx.props().component }
    }

    fn update(&mut self, _ctx: &Context<Self>, _msg: ()) -> bool {
        true
    }

    fn changed(&mut self, ctx: &Context<Self>, _old_props: &HostProps) -> bool {
        let component = ctx.props().component;
        if component != self.component {
            // Another component in this one's place: its hooks are not these.
            self.hooks.destroy();
            self.hooks = FunctionComponent::new(ctx);
            self.component = component;
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> HtmlResult {
        self.hooks.render(ctx.props())
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        self.hooks.rendered()
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        self.hooks.destroy()
    }

    fn prepare_state(&self) -> Option<String> {
        None
    }
}
