//! Toasts: short messages stacked in a corner, dismissed by their button or on their own after a few seconds.

use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use gloo_timers::callback::Timeout;
use std::rc::Rc;
use yew::prelude::*;

/// How long a toast stays before it dismisses itself.
const ERROR_MS: u32 = 8_000;
const INFO_MS: u32 = 4_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Error,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub kind: ToastKind,
    pub title: AttrValue,
    pub detail: Option<AttrValue>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToastQueue {
    items: Vec<Toast>,
    next_id: u32,
}

/// At most this many toasts at once; a new one pushes out the oldest.
const MAX_TOASTS: usize = 4;

pub enum ToastAction {
    Push { kind: ToastKind, title: String, detail: Option<String> },
    Dismiss(u32),
}

impl Reducible for ToastQueue {
    type Action = ToastAction;

    fn reduce(self: Rc<Self>, action: ToastAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ToastAction::Push { kind, title, detail } => {
                // The same message twice in a row (say, three panels failing the same way) shows once.
                let repeated =
                    next.items.last().is_some_and(|t| t.title == title && t.detail.as_deref() == detail.as_deref());
                if repeated {
                    return self;
                }
                next.next_id += 1;
                next.items.push(Toast { id: next.next_id, kind, title: title.into(), detail: detail.map(Into::into) });
                if next.items.len() > MAX_TOASTS {
                    next.items.remove(0);
                }
            }
            ToastAction::Dismiss(id) => next.items.retain(|t| t.id != id),
        }
        Rc::new(next)
    }
}

/// The handle screens use to show a message.
#[derive(Clone, PartialEq)]
pub struct Toasts(UseStateHandle<ToastQueue>);

impl Toasts {
    pub fn error(&self, title: &str, detail: Option<String>) {
        self.0.dispatch(ToastAction::Push { kind: ToastKind::Error, title: title.to_owned(), detail });
    }

    pub fn info(&self, title: &str) {
        self.0.dispatch(ToastAction::Push { kind: ToastKind::Info, title: title.to_owned(), detail: None });
    }
}

#[hook]
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().expect("ToastProvider is missing")
}

#[derive(Properties, PartialEq)]
pub struct ToastProviderProps {
    pub children: Html,
}

#[component]
pub fn ToastProvider(props: &ToastProviderProps) -> Html {
    let queue = use_state(ToastQueue::default);
    let dismiss = {
        let queue = queue.clone();
        crate::h::cb(move |id| queue.dispatch(ToastAction::Dismiss(id)))
    };
    html! {
        <ContextProvider<Toasts> context={Toasts(queue.clone())}>
            { props.children.clone() }
            <div class="toasts" aria-live="polite" data-testid="toasts">
                { for queue.items.iter().map(|t| html! {
                    <ToastView key={t.id} toast={t.clone()} on_dismiss={dismiss.clone()} />
                }) }
            </div>
        </ContextProvider<Toasts>>
    }
}

#[derive(Properties, PartialEq)]
struct ToastViewProps {
    toast: Toast,
    on_dismiss: Callback<u32>,
}

#[component]
fn ToastView(props: &ToastViewProps) -> Html {
    let id = props.toast.id;
    let ms = match props.toast.kind {
        ToastKind::Error => ERROR_MS,
        ToastKind::Info => INFO_MS,
    };
    {
        let on_dismiss = props.on_dismiss.clone();
        use_effect_with(id, move |_| {
            let timer = Timeout::new(ms, move || on_dismiss.emit(id));
            // Dropping the timer cancels it, so a toast dismissed by hand does not fire later.
            move || drop(timer)
        });
    }
    let onclick = {
        let on_dismiss = props.on_dismiss.clone();
        crate::h::cb(move |_| on_dismiss.emit(id))
    };
    let (class, role) = match props.toast.kind {
        ToastKind::Error => ("toast toast-error", "alert"),
        ToastKind::Info => ("toast toast-info", "status"),
    };
    html! {
        <div {class} {role} data-testid="toast">
            <div class="toast-text">
                <strong data-testid="toast-title">{ props.toast.title.clone() }</strong>
                if let Some(detail) = &props.toast.detail {
                    <p>{ detail.clone() }</p>
                }
            </div>
            <button type="button" class="toast-close" aria-label="Dismiss" data-testid="toast-dismiss" {onclick}>{ "×" }</button>
        </div>
    }
}
