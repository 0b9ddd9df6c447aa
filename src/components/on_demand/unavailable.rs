//! The "chat unavailable" view, shown instead of the chat while AgentOS is unreachable.

use leptos::prelude::*;

use crate::i18n::{t, t_args};
use crate::model::HelpLink;
use crate::state::connection::use_connection;

pub(super) fn unavailable_view(links: Vec<HelpLink>, reason: String) -> AnyView {
    let conn = use_connection();
    let countdown = move || {
        conn.next_check_ms
            .get()
            .map(|ms| t_args("retry-in", &[("seconds", ms.div_ceil(1000).into())]))
            .unwrap_or_else(|| t("retrying"))
    };
    view! {
        <section class="fallback" data-testid="chat-unavailable" role="alert" aria-live="assertive">
            <h2>{t("unavailable-title")}</h2>
            <p>{t("unavailable-text")}</p>
            <p class="muted" data-testid="fallback-reason">{reason}</p>
            <p class="muted" aria-live="off">{countdown}</p>
            <button type="button" class="button" on:click=move |_| conn.retry_now()>{t("retry-now")}</button>
            {(!links.is_empty()).then(|| view! {
                <ul class="help-links" data-testid="help-links">
                    {links.into_iter().map(|l| view! {
                        <li><a href=l.url rel="noopener noreferrer" target="_blank">{l.label}</a></li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
    .into_any()
}
