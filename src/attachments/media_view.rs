//! A message's attachments and an answer's media: images as a gallery whose full-size
//! viewer is a modal dialog (Escape closes it, arrow keys move between images, focus goes
//! back to the thumbnail), audio and video with the browser's player, other files as
//! download chips; and an answer's numbered sources.

use leptos::prelude::*;

use crate::chat::media::{size_label, MediaItem, MediaKind, Source};
use crate::i18n::{t, t_args};

pub(super) fn media_view(items: Vec<MediaItem>, compact: bool) -> AnyView {
    let images: Vec<MediaItem> = items
        .iter()
        .filter(|i| i.kind == Some(MediaKind::Image) && i.shown_inline() && i.url.is_some())
        .cloned()
        .collect();
    let rest: Vec<MediaItem> = items
        .into_iter()
        .filter(|i| !(i.kind == Some(MediaKind::Image) && i.shown_inline() && i.url.is_some()))
        .collect();
    let open = RwSignal::new(None::<usize>);
    let count = images.len();
    let images = StoredValue::new(images);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let show = move |i: usize| {
        open.set(Some(i));
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let step = move |by: isize| {
        if count > 0 {
            open.update(|o| {
                if let Some(i) = o {
                    *i = (*i as isize + by).rem_euclid(count as isize) as usize;
                }
            })
        }
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    let gallery = images.with_value(|imgs| {
        imgs.iter()
            .enumerate()
            .map(|(i, img)| {
                let label = img.text.clone().unwrap_or_else(|| img.label());
                let open_label = t_args("open-image", &[("name", (&label).into())]);
                view! {
                    <li>
                        <button type="button" class="media-thumb" data-testid="media-image" aria-label=open_label on:click=move |_| show(i)>
                            <img src=img.url.clone() alt=label loading="lazy" />
                        </button>
                    </li>
                }
            })
            .collect_view()
    });
    let others = rest
        .into_iter()
        .map(|item| {
            let label = item.label();
            let size = item.size.map(size_label);
            match (item.kind, item.url.clone()) {
                (Some(MediaKind::Audio), Some(url)) if item.shown_inline() => view! {
                    <figure class="media-audio" data-testid="media-audio">
                        <audio controls preload="metadata" src=url aria-label=label.clone()></audio>
                        <figcaption>{item.text.clone().unwrap_or_else(|| label.clone())}</figcaption>
                    </figure>
                }
                .into_any(),
                (Some(MediaKind::Video), Some(url)) if item.shown_inline() => view! {
                    <figure class="media-video" data-testid="media-video">
                        <video controls preload="metadata" src=url aria-label=label.clone()></video>
                        <figcaption>{label.clone()}</figcaption>
                    </figure>
                }
                .into_any(),
                (_, Some(url)) => {
                    let file_name = label.clone();
                    view! {
                    <a class="media-file" data-testid="media-file" href=url download=file_name rel="external">
                        <span class="media-file-name">{label}</span>
                        {size.map(|s| view! { <span class="media-file-size">{s}</span> })}
                    </a>
                    }
                    .into_any()
                }
                (_, None) => view! {
                    <span class="media-file unstored" data-testid="media-file" title=t("media-not-stored")>
                        <span class="media-file-name">{label}</span>
                        {size.map(|s| view! { <span class="media-file-size">{s}</span> })}
                    </span>
                }
                .into_any(),
            }
        })
        .collect_view();
    let shown = move || {
        open.get()
            .and_then(|i| images.with_value(|imgs| imgs.get(i).cloned()))
    };
    view! {
        <div class="media" class:compact=compact data-testid=if compact { "attachments" } else { "answer-media" }>
            {(count > 0).then(|| view! { <ul class="media-gallery">{gallery}</ul> })}
            {others}
            {(count > 0).then(|| view! {
                <dialog
                    class="media-viewer"
                    data-testid="media-viewer"
                    aria-label=t("image-viewer")
                    node_ref=dialog
                    on:keydown=move |ev| match ev.key().as_str() {
                        "ArrowRight" => step(1),
                        "ArrowLeft" => step(-1),
                        _ => {}
                    }
                    on:close=move |_| open.set(None)
                    on:click=move |ev| {
                        // A click on the backdrop (the dialog itself, not its content) closes.
                        if event_target::<leptos::web_sys::Element>(&ev).tag_name() == "DIALOG" {
                            close();
                        }
                    }
                >
                    {move || shown().map(|img| {
                        let label = img.text.clone().unwrap_or_else(|| img.label());
                        view! {
                            <figure>
                                <img src=img.url.clone() alt=label.clone() data-testid="media-viewer-image" />
                                <figcaption>
                                    {label}
                                    {(count > 1).then(|| format!(" ({} / {count})", open.get().unwrap_or(0) + 1))}
                                </figcaption>
                            </figure>
                        }
                    })}
                    <div class="media-viewer-actions">
                        {(count > 1).then(|| view! {
                            <button type="button" class="button secondary" on:click=move |_| step(-1)>{t("previous")}</button>
                            <button type="button" class="button secondary" on:click=move |_| step(1)>{t("next")}</button>
                        })}
                        <a class="button secondary" href=move || shown().and_then(|i| i.url) download=move || shown().map(|i| i.label()) rel="external">{t("download")}</a>
                        <button type="button" class="button" data-testid="media-viewer-close" autofocus on:click=move |_| close()>{t("close")}</button>
                    </div>
                </dialog>
            })}
        </div>
    }
    .into_any()
}

pub(super) fn sources_view(list: Vec<Source>, anchor: String) -> AnyView {
    let items = list
        .into_iter()
        .map(|s| {
            let id = format!("{anchor}-{}", s.number);
            let title = match s.url.clone() {
                Some(url) => view! {
                    <a href=url target="_blank" rel="noopener noreferrer nofollow external">{s.title.clone()}</a>
                }
                .into_any(),
                None => view! { <span>{s.title.clone()}</span> }.into_any(),
            };
            view! {
                <li id=id data-testid="source" value=s.number.to_string() tabindex="-1">
                    {title}
                    {s.snippet.map(|x| view! { <p class="source-snippet">{x}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="sources" data-testid="sources" aria-label=t("sources")>
            <h4>{t("sources")}</h4>
            <ol>{items}</ol>
        </section>
    }
    .into_any()
}
