//! The "?" dialog: the keyboard shortcuts, as `state::shortcuts` lists them.

use leptos::prelude::*;

use crate::i18n::t;
use crate::state::shortcuts::LIST;

pub(super) fn shortcuts_view(open: RwSignal<bool>) -> AnyView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // A modal dialog: the browser keeps focus in it, closes it on Escape and gives focus
    // back to where it was. (Opened once in the document: the element is made before it
    // is put there.)
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            request_animation_frame(move || {
                if d.is_connected() && !d.open() {
                    let _ = d.show_modal();
                }
            });
        }
    });
    let mac = on_a_mac();
    let key = move |k: &str| match k {
        "Mod" if mac => "⌘".to_owned(),
        "Mod" => t("key-ctrl"),
        "Shift" => t("key-shift"),
        other => other.to_owned(),
    };
    let rows = LIST
        .iter()
        .map(|(keys, what)| {
            let keys = keys
                .iter()
                .map(|k| view! { <kbd>{key(k)}</kbd> })
                .collect_view();
            view! {
                <tr>
                    <td class="keys">{keys}</td>
                    <td>{t(what)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dialog
            class="shortcuts-dialog"
            node_ref=dialog
            aria-labelledby="shortcuts-title"
            data-testid="shortcuts-dialog"
            on:close=move |_| open.set(false)
        >
            <h2 id="shortcuts-title">{t("shortcuts")}</h2>
            <table>
                <tbody>{rows}</tbody>
            </table>
            <form method="dialog">
                <button type="submit" class="button" data-testid="shortcuts-close">{t("close")}</button>
            </form>
        </dialog>
    }
    .into_any()
}

fn on_a_mac() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window()
            .navigator()
            .user_agent()
            .is_ok_and(|ua| ua.contains("Mac OS"))
    }
    #[cfg(not(feature = "hydrate"))]
    false
}
