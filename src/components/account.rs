//! The signed-in person's menu in the header: their name, their usage (whose page links
//! administrators on to everyone's) and "Sign out". Sign-out is a plain form post, so it works before
//! (or without) the page's code. The usage pages are whole page loads: the chat page is
//! left, not kept.

use leptos::prelude::*;

use crate::i18n::t;

#[component]
pub fn AccountMenu(name: String) -> impl IntoView {
    let initial = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect());
    let title = name.clone();
    view! {
        <details class="account-menu" data-testid="account-menu">
            <summary aria-label=t("account-menu") title=title>
                <span class="account-initial" aria-hidden="true">{initial}</span>
                <span class="account-name only-wide" data-testid="account-name">{name}</span>
            </summary>
            <div class="account-actions">
                <a href=crate::routes::USAGE_PATH rel="external" data-testid="my-usage-link">{t("my-usage")}</a>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="button" data-testid="sign-out">{t("sign-out")}</button>
                </form>
            </div>
        </details>
    }
}
