//! The toasts in their live region (see `components::toasts`).

use leptos::prelude::*;

use crate::i18n::t;
use crate::icon::{Icon, IconName};
use crate::state::toasts::{Toasts, Tone};

pub(super) fn toasts_view(toasts: Toasts) -> AnyView {
    view! {
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
    }
    .into_any()
}
