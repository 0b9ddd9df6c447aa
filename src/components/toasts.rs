use leptos::prelude::*;

use crate::state::toasts::use_toasts;

/// Where toasts appear (see `state::toasts`): one live region, there from the start, so
/// that screen readers read out each toast put in it. The toasts' own view is loaded on
/// demand (`on_demand`): most visits never show one.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    let any = Memo::new(move |_| toasts.items.with(|list| !list.is_empty()));
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            {move || any.get().then(|| view! {
                <Suspense fallback=|| ()>{Suspend::new(super::on_demand::toast_list(toasts))}</Suspense>
            })}
        </div>
    }
}
