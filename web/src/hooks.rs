//! The portal's `use_state` and `use_effect_with`, used by every page in place of Yew's (`web/clippy.toml` refuses
//! Yew's).
//!
//! Yew's hooks are generic over their closures as well as over the state: every `|| false` is a closure type of its
//! own, so each of the portal's few hundred call sites compiled its own copy of the hook machinery (`next_state`,
//! the reducer hook's `run`, the effect's `rendered`), and each state type its own reducer handle, `Rc` and `Any`
//! glue on top. Here closures are boxed and state values are kept as `Rc<dyn Any>` in one non-generic reducer, so
//! that machinery is compiled once for the whole portal; a call site adds a box and a type check. The closures still
//! run when Yew's would (`init` on the first render only, an effect after a render whose deps changed); boxing a
//! closure that captures nothing allocates nothing.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::rc::Rc;

use serde_json::Value;
use vigil_json::ToJson;
use yew::functional::{hook, Hook, Reducible, TearDown, UseReducerHandle};

/// The one state type behind every [`use_state`].
struct Slot(Rc<dyn Any>);

impl Reducible for Slot {
    type Action = Rc<dyn Any>;

    fn reduce(self: Rc<Self>, value: Rc<dyn Any>) -> Rc<Self> {
        Rc::new(Slot(value))
    }
}

/// What Yew's `UseStateHandle` offers the pages: `*handle` reads the current value, `set` replaces it and renders
/// again.
///
/// One pointer, so that a closure holding handles copies and drops a pointer each (Yew's reducer handle is seven
/// words, and cloning it allocates).
pub struct UseStateHandle<T> {
    /// `None` only while the handle is dropped ([`release`]).
    shared: Option<Rc<Shared>>,
    value: PhantomData<fn() -> T>,
}

impl<T> UseStateHandle<T> {
    fn shared(&self) -> &Shared {
        match &self.shared {
            Some(shared) => shared,
            None => unreachable!("a state handle is read while it is dropped"),
        }
    }
}

impl<T> Drop for UseStateHandle<T> {
    fn drop(&mut self) {
        release(self.shared.take());
    }
}

/// Out of line, so that dropping a handle is one call wherever a closure holding handles is dropped, not the
/// reducer handle's drop code inlined there.
#[inline(never)]
fn release(shared: Option<Rc<Shared>>) {
    drop(shared);
}

struct Shared {
    inner: UseReducerHandle<Slot>,
    /// The value when this handle was made, at a render. As with Yew's handle, equality compares these, so a handle
    /// among an effect's deps tells the last render's value from this one's.
    seen: Rc<dyn Any>,
}

impl<T: 'static> UseStateHandle<T> {
    pub fn set(&self, value: T) {
        self.shared().inner.dispatch(Rc::new(value));
    }
}

impl<T: 'static> Deref for UseStateHandle<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // Only this handle's `use_state::<T>` and its `set(T)` ever write the slot, so it always holds a `T`.
        match as_type::<T>(current(&self.shared().inner)) {
            Some(value) => value,
            None => panic!("a state slot holds a value of another type"),
        }
    }
}

impl<T: Reducible + 'static> UseStateHandle<T> {
    /// What a reducer's handle does, for a state whose type is a reducer (the session, the toasts): the value
    /// `T::reduce` makes of the current one and `action` replaces it; the very same value back (an action that
    /// changes nothing) renders nothing.
    pub fn dispatch(&self, action: T::Action) {
        // The slot always holds a `T` (see `deref`); were it ever not, the action is dropped rather than panicking.
        let Ok(now) = Rc::clone(&self.shared().inner.0).downcast::<T>() else { return };
        let next = T::reduce(Rc::clone(&now), action);
        if !Rc::ptr_eq(&now, &next) {
            self.shared().inner.dispatch(next);
        }
    }
}

/// The slot's value now. Out of line, so the reducer handle's reading code is not copied into every `T`'s `deref`.
#[inline(never)]
fn current(inner: &UseReducerHandle<Slot>) -> &dyn Any {
    &*inner.0
}

impl<T> Clone for UseStateHandle<T> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone(), value: PhantomData }
    }
}

impl<T: PartialEq + 'static> PartialEq for UseStateHandle<T> {
    fn eq(&self, other: &Self) -> bool {
        as_type::<T>(&*self.shared().seen) == as_type::<T>(&*other.shared().seen)
    }
}

impl<T: fmt::Debug + 'static> fmt::Debug for UseStateHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UseStateHandle").field("value", &**self).finish()
    }
}

/// Same as `yew::use_state`: the state starts as `init()` on the first render and is kept across renders. `init`
/// captures nothing (a closure like `|| false` is such a function), so the code that boxes it is compiled once per
/// state type rather than once per call site; [`use_state_with`] takes a closure that captures.
#[hook]
pub fn use_state<T: 'static>(init: fn() -> T) -> UseStateHandle<T> {
    use_state_with(init)
}

/// [`use_state`] starting from a closure that captures (props, other state).
#[hook]
pub fn use_state_with<T: 'static, F: FnOnce() -> T>(init: F) -> UseStateHandle<T> {
    let inner = use_slot(Box::new(move || Rc::new(init()) as Rc<dyn Any>));
    UseStateHandle { shared: Some(Rc::new(Shared { seen: Rc::clone(&inner.0), inner })), value: PhantomData }
}

#[hook]
fn use_slot<'a>(init: Box<dyn FnOnce() -> Rc<dyn Any> + 'a>) -> UseReducerHandle<Slot> {
    // The one use of Yew's reducer hook: every state is this slot.
    #[allow(clippy::disallowed_methods)]
    yew::use_reducer(move || Slot(init()))
}

/// Same as `yew::use_effect_with`: `effect` runs after a render whose `deps` differ from the last run's, and what it
/// returns (nothing, or a closure) tears it down before the next run and on unmount.
///
/// The deps are compared as the JSON they write ([`Deps`]), so that no deps type is kept behind `dyn Any`: each such
/// type brought its `TypeId` (sixteen bytes that do not compress, twice) and a comparison of its own into the wasm.
pub fn use_effect_with<T, F, D>(deps: T, effect: F) -> impl Hook<Output = ()>
where
    T: ToJson + 'static,
    F: FnOnce(&T) -> D + 'static,
    D: TearDown,
{
    let key = Deps(deps.to_json());
    let boxed: BoxedEffect = Box::new(move |_: &Deps| -> Box<dyn FnOnce()> {
        let tear_down = effect(&deps);
        Box::new(move || tear_down.tear_down())
    });
    #[allow(clippy::disallowed_methods)]
    yew::use_effect_with(key, boxed)
}

/// `value` as a `T`. Out of line, so that each type's `TypeId` (sixteen bytes that do not compress) is written once,
/// here, rather than at every state read and comparison of that type (1.2 KiB of the portal's gzipped download, when
/// effects' deps were read this way too).
#[inline(never)]
fn as_type<T: 'static>(value: &dyn Any) -> Option<&T> {
    value.downcast_ref::<T>()
}

/// An effect's deps, whatever their type, as one value: Yew's effect hook is generic over the deps, and with a
/// hundred types of them it was compiled a hundred times. JSON tells apart what the deps' own `==` does for the
/// types effects depend on (numbers, text, flags, IDs, and options, tuples and records of them); the one thing it
/// cannot tell apart, `Some(None)` from `None`, is not written as a dep (a test below shows why).
#[derive(PartialEq)]
struct Deps(Value);

type BoxedEffect = Box<dyn FnOnce(&Deps) -> Box<dyn FnOnce()>>;

#[cfg(test)]
mod tests {
    use super::Deps;
    use vigil_json::ToJson;

    fn deps(v: impl ToJson) -> Deps {
        Deps(v.to_json())
    }

    #[test]
    fn deps_compare_as_their_values() {
        assert!(deps((1, Some("a"))) == deps((1, Some("a"))));
        assert!(deps((1, Some("a"))) != deps((1, None::<&str>)));
        assert!(deps((1, Some("a"))) != deps((2, Some("a"))));
        assert!(deps((1u32, Some("a"), false)) != deps((1u32, Some("a"), true)));
        assert!(deps((1u32, "a", 2u32, 3u32)) != deps((1u32, "a", 3u32, 2u32)));
        assert!(deps(()) == deps(()));
        // What JSON cannot tell apart, and so is never an effect's dep.
        assert!(deps(Some(None::<u32>)) == deps(None::<Option<u32>>));
    }
}
