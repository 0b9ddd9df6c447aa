use leptos::prelude::*;

use crate::i18n::t;
use crate::icon::{Icon, IconName};
use crate::state::toasts::{use_toasts, Tone};

/// Where toasts appear (see `state::toasts`): one live region, there from the start, so
/// that screen readers read out each toast put in it.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            {move || {
                toasts
                    .items
                    .get()
                    .into_iter()
                    .map(|toast| {
                        let id = toast.id;
                        let class = match toast.tone {
                            Tone::Info => "toast",
                            Tone::Error => "toast toast-error",
                        };
                        view! {
                            <div class=class data-testid="toast">
                                <span>{toast.text}</span>
                                <button type="button" class="icon-button" aria-label=t("close") title=t("close") on:click=move |_| toasts.dismiss(id)>
                                    <Icon name=IconName::X />
                                </button>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
