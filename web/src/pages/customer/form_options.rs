//! The choices the customer cards' selects offer (office locations, reps, monitoring companies, …), loaded once per
//! page. The Home page and the creation wizard draw the same cards, so they load them the same way.

use crate::api::CustomerFormOptions;
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::session::use_session;
use yew::prelude::*;

/// The form options, empty until they arrive. A failed load keeps them empty: a select still shows its stored
/// value, and the record's own load reports the error a user can act on.
#[hook]
pub fn use_customer_form_options() -> UseStateHandle<CustomerFormOptions> {
    let session = use_session();
    let opts = use_state(CustomerFormOptions::default);
    {
        let (opts, client) = (opts.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(o) = client.customer_form_options().await {
                        opts.set(o);
                    }
                });
            }
        });
    }
    opts
}
