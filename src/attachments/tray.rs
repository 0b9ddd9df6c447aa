//! The files added to the message being written: adding them (each checked against the
//! limits), their chips (name, size, type, a thumbnail for images, a remove button), and
//! the upload's progress bar.

use leptos::prelude::*;

use super::Attachments;
use crate::chat::media::size_label;
use crate::i18n::{t, t_args};

/// Adds files, each checked against the limits and the files already there; a refused
/// file is named in the error and the others are added.
#[cfg(feature = "hydrate")]
pub(super) fn add(a: Attachments, files: Vec<web_sys::File>, limits: crate::model::UploadLimits) {
    let mut refusals = Vec::new();
    for file in files {
        let name = file.name();
        let name = if name.is_empty() {
            // A pasted image has no name of its own.
            let ext = file.type_().rsplit('/').next().unwrap_or("png").to_owned();
            format!("pasted-{}.{ext}", a.next_id())
        } else {
            name
        };
        let size = file.size() as u64;
        let mime = file.type_();
        let added: Vec<u64> = super::FILES.with(|f| f.borrow().iter().map(|f| f.size).collect());
        let candidate = super::limits::Candidate {
            name: &name,
            size,
            mime: &mime,
        };
        if let Err(why) = super::limits::check(&limits, &added, &candidate) {
            let (id, args) = why.in_words();
            let args: Vec<(&str, crate::i18n::Arg)> =
                args.into_iter().map(|(k, v)| (k, v.into())).collect();
            refusals.push(t_args(id, &args));
            continue;
        }
        let preview = (mime.starts_with("image/") && mime != "image/svg+xml")
            .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
            .flatten();
        let id = a.next_id();
        a.update_files(|f| {
            f.push(super::PendingFile {
                id,
                name,
                size,
                mime,
                preview,
                refused: false,
                file,
            })
        });
    }
    a.error
        .set((!refusals.is_empty()).then(|| refusals.join(" ")));
}

fn remove(a: Attachments, id: u64) {
    a.update_files(|f| {
        if let Some(i) = f.iter().position(|f| f.id == id) {
            let gone = f.remove(i);
            #[cfg(feature = "hydrate")]
            if let Some(url) = gone.preview {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = gone;
        }
    });
    a.error.set(None);
}

pub(super) fn tray_view(a: Attachments) -> AnyView {
    let ids = Memo::new(move |_| a.with_files(|f| f.iter().map(|f| f.id).collect::<Vec<_>>()));
    view! {
        <ul class="attach-tray" data-testid="attach-tray" aria-label=t("attachments")>
            <For each=move || ids.get() key=|id| *id let:id>
                {move || a.with_files(|f| f.iter().find(|f| f.id == id).cloned()).map(|f| {
                    let label = t_args("remove-file", &[("name", (&f.name).into())]);
                    let kind = f.mime.split('/').next_back().unwrap_or_default().to_uppercase();
                    view! {
                        <li class="attach-chip" class:refused=f.refused data-testid="attach-chip" data-name=f.name.clone()>
                            {match f.preview.clone() {
                                Some(src) => view! { <img class="attach-thumb" src=src alt="" data-testid="attach-thumb" /> }.into_any(),
                                None => view! { <span class="attach-icon" aria-hidden="true">{kind.clone()}</span> }.into_any(),
                            }}
                            <span class="attach-name">{f.name.clone()}</span>
                            <span class="attach-meta">{size_label(f.size)}</span>
                            <button type="button" class="attach-remove" aria-label=label.clone() title=label data-testid="attach-remove" on:click=move |_| remove(a, id)>
                                "×"
                            </button>
                        </li>
                    }
                })}
            </For>
        </ul>
        {move || a.progress.get().map(|p| view! {
            <div class="upload-progress" data-testid="upload-progress">
                <progress max="100" value=(p * 100.0).round().to_string() aria-label=t("uploading")></progress>
                <span>{t_args("uploading-percent", &[("percent", ((p * 100.0).round() as u64).into())])}</span>
            </div>
        })}
    }
    .into_any()
}
