//! The usage pages: a person's own usage and budgets (`/usage`), and everyone's usage for
//! administrators (`/admin/usage`). Their charts and tables are generative-UI specs made
//! on the server and drawn by `genui`.
//!
//! The pages are drawn in the browser only: the server renders a placeholder ("Loading…",
//! see `app`), and once the page has started, the on-demand chunk (`components::on_demand`)
//! that carries this module draws the page in its place. So none of it is in the chat's
//! first load, and it is not a chunk of its own either, which would split the code it
//! shares with the conversation's chunk into more files for every conversation to fetch.

use leptos::prelude::*;

use crate::api::{BudgetLine, OwnUsage, UsageOverview};
use crate::genui::view::GenUi;
use crate::i18n::{t, t_args};
use crate::routes::Page;

/// Draws the usage page `page` in place of the page's placeholder.
pub fn draw(page: Page) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(placeholder) = document().get_element_by_id(crate::routes::USAGE_ROOT_ID) else {
            return;
        };
        let Some(parent) = placeholder
            .parent_element()
            .and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        placeholder.remove();
        if let (Some(head), Ok(link)) = (document().head(), document().create_element("link")) {
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", crate::routes::USAGE_STYLESHEET_PATH);
            let _ = head.append_child(&link);
        }
        leptos::mount::mount_to(parent, move || match page {
            Page::AdminUsage => view! { <Everyone /> }.into_any(),
            _ => view! { <Mine /> }.into_any(),
        })
        .forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = page;
}

/// A usage page titled `title` showing `data` once it is here, with `show`.
fn frame<T>(
    title: String,
    data: LocalResource<Result<T, crate::api::ApiError>>,
    show: fn(T) -> AnyView,
) -> impl IntoView
where
    T: Clone + 'static,
{
    view! {
        <div class="usage-page">
            <header class="usage-header">
                <a href="/" rel="external" class="link-button" data-testid="back-to-chat">{t("back-to-chat")}</a>
                <h1>{title}</h1>
            </header>
            <Suspense fallback=|| view! { <p class="muted">{t("loading")}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => failed(e),
                        Ok(u) => show(u),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn failed(e: crate::api::ApiError) -> AnyView {
    view! { <p class="notice" role="alert" data-testid="usage-error">{e.to_string()}</p> }
        .into_any()
}

fn totals(answers: u64, tokens: u64, cost: String) -> impl IntoView {
    view! {
        <dl class="usage-totals">
            <div><dt>{t("usage-answers")}</dt><dd data-testid="usage-answers">{answers}</dd></div>
            <div><dt>{t("usage-tokens")}</dt><dd data-testid="usage-tokens">{tokens}</dd></div>
            <div><dt>{t("usage-cost")}</dt><dd data-testid="usage-cost">{cost}</dd></div>
        </dl>
    }
}

fn budget(b: BudgetLine) -> impl IntoView {
    view! {
        <li class="usage-budget" data-testid="usage-budget">
            <p class="usage-budget-name">{b.name}</p>
            <meter min="0" max="100" low="80" high="99" optimum="0" value=b.percent></meter>
            <p class="muted">
                {t_args(
                    "usage-budget-status",
                    &[("used", b.used.into()), ("remaining", b.remaining.into()), ("resets", b.resets.into())],
                )}
            </p>
        </li>
    }
}

/// The person's own usage this month, and their budgets.
#[component]
fn Mine() -> impl IntoView {
    let data = LocalResource::new(crate::api::my_usage);
    frame(t("my-usage"), data, mine)
}

fn mine(u: OwnUsage) -> AnyView {
    let OwnUsage {
        period,
        answers,
        tokens,
        cost,
        budgets,
        chart,
        table,
        admin,
    } = u;
    let budgets = if budgets.is_empty() {
        view! { <p class="muted" data-testid="usage-no-budgets">{t("usage-no-budgets")}</p> }
            .into_any()
    } else {
        view! { <ul class="usage-budgets">{budgets.into_iter().map(budget).collect_view()}</ul> }
            .into_any()
    };
    view! {
        {admin.then(|| view! {
            <a href=crate::routes::ADMIN_USAGE_PATH rel="external" class="link-button" data-testid="admin-usage-link">{t("everyones-usage")}</a>
        })}
        <p class="muted" data-testid="usage-period">{period}</p>
        {totals(answers, tokens, cost)}
        <section aria-label=t("usage-budgets")>{budgets}</section>
        {chart.map(|spec| view! { <GenUi spec /> })}
        <GenUi spec=table />
    }
    .into_any()
}

/// Everyone's usage over a chosen period, with its CSV export. The period is in the
/// address (`?from=YYYY-MM-DD&to=YYYY-MM-DD`), chosen with a plain form (a page load), so
/// it can be linked to.
#[component]
fn Everyone() -> impl IntoView {
    let query = window().location().search().unwrap_or_default();
    let field = |name: &str| {
        form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (from, to) = (field("from"), field("to"));
    let data = LocalResource::new(move || crate::api::everyones_usage(from.clone(), to.clone()));
    frame(t("everyones-usage"), data, everyone)
}

fn everyone(u: UsageOverview) -> AnyView {
    let UsageOverview {
        from,
        to,
        people,
        answers,
        tokens,
        cost,
        table,
        csv,
    } = u;
    view! {
        <form class="usage-period" method="get" action=crate::routes::ADMIN_USAGE_PATH>
            <label>{t("usage-from")}" "<input type="date" name="from" value=from data-testid="usage-from" /></label>
            <label>{t("usage-to")}" "<input type="date" name="to" value=to data-testid="usage-to" /></label>
            <button type="submit" class="button" data-testid="usage-show">{t("usage-show")}</button>
            <a class="button secondary" href=csv rel="external" download data-testid="usage-csv">{t("usage-csv")}</a>
        </form>
        <p class="muted" data-testid="usage-people">{t_args("usage-people", &[("count", people.into())])}</p>
        {totals(answers, tokens, cost)}
        <GenUi spec=table />
    }
    .into_any()
}
