use crate::app::Route;
use crate::components::route_link::RouteLink;
use crate::html;
use yew::prelude::*;

#[component]
pub fn NotFound() -> Html {
    html! {
        <section class="panel" data-testid="not-found">
            <h1>{ "Page not found" }</h1>
            <p>{ "There is no page at this address. It may have moved, or the link may be mistyped." }</p>
            <p><RouteLink to={Route::Home}>{ "Go to the start page" }</RouteLink></p>
        </section>
    }
}
