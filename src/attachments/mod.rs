//! Attachments: the files a person adds to a message (attach button, drag and drop onto
//! the conversation, pasted images), checked against the server's limits and sent with
//! upload progress; and what answers bring back (images, audio, videos, files, numbered
//! sources). The composer, the turns and the answers hold only the small hooks below:
//! the code behind them is one lazily loaded chunk (`lazy`), fetched when a file is added
//! or a turn with media is shown.

mod lazy;
pub use lazy::{Code, Loader, CODE};
pub mod limits;
mod media_view;
mod tray;
#[cfg(feature = "hydrate")]
mod upload;

use std::cell::RefCell;

use leptos::prelude::*;

use crate::chat::media::{MediaItem, MediaKind, Source};

/// A file added to the message being written, not yet sent.
#[derive(Clone)]
pub struct PendingFile {
    pub id: u64,
    pub name: String,
    pub size: u64,
    /// The browser's type for it (from the name); the server decides from the bytes.
    pub mime: String,
    /// The browser's own address of an image, for its thumbnail.
    pub preview: Option<String>,
    /// The server refused it when the message was sent: it is marked until removed.
    pub refused: bool,
    #[cfg(feature = "hydrate")]
    pub file: web_sys::File,
}

impl PendingFile {
    /// The file as the sent message shows it.
    pub fn as_item(&self) -> MediaItem {
        let kind = ["image/", "audio/", "video/"]
            .iter()
            .zip([MediaKind::Image, MediaKind::Audio, MediaKind::Video])
            .find(|(p, _)| self.mime.starts_with(**p))
            .map_or(MediaKind::File, |(_, k)| k);
        MediaItem {
            id: format!("local-{}", self.id),
            kind: Some(kind),
            name: Some(self.name.clone()),
            mime: (!self.mime.is_empty()).then(|| self.mime.clone()),
            size: Some(self.size),
            url: self.preview.clone(),
            text: None,
            key: None,
        }
    }
}

/// The files of the message being written, and the upload in flight. The files
/// themselves (browser objects) are kept outside the reactive graph, in this thread's
/// [`FILES`]; `revision` says when they change.
#[derive(Clone, Copy)]
pub struct Attachments {
    /// Bumped whenever the files change.
    pub revision: RwSignal<u64>,
    /// How much of the upload in flight has left the browser (0 to 1).
    pub progress: RwSignal<Option<f64>>,
    /// Why the last file was not added.
    pub error: RwSignal<Option<String>>,
    /// The chips' renderer, once the chunk is here.
    tray_view: RwSignal<Option<TrayView>>,
}

/// Draws the chips and the progress bar (the chunk's function).
type TrayView = fn(Attachments) -> AnyView;

thread_local! {
    /// The files added to the message being written.
    static FILES: RefCell<Vec<PendingFile>> = const { RefCell::new(Vec::new()) };
    /// The files sent with this page's turns (by turn id), so Retry sends them again.
    static SENT: RefCell<Vec<(u64, Vec<PendingFile>)>> = const { RefCell::new(Vec::new()) };
    /// Cancels the upload in flight.
    #[cfg(feature = "hydrate")]
    static CANCEL: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

impl Attachments {
    /// Reads the files (tracked: re-runs when they change).
    pub fn with_files<T>(&self, read: impl FnOnce(&[PendingFile]) -> T) -> T {
        self.revision.track();
        FILES.with(|f| read(&f.borrow()))
    }

    /// Changes the files.
    pub fn update_files(&self, change: impl FnOnce(&mut Vec<PendingFile>)) {
        FILES.with(|f| change(&mut f.borrow_mut()));
        self.revision.update(|r| *r += 1);
    }

    /// Whether files are on their way to the server (Stop then cancels the upload).
    pub fn uploading(&self) -> bool {
        self.progress.get_untracked().is_some_and(|p| p < 1.0)
    }

    /// Cancels the upload in flight, if any; true when there was one.
    pub fn cancel_upload(&self) -> bool {
        if !self.uploading() {
            return false;
        }
        #[cfg(feature = "hydrate")]
        if let Some(cancel) = CANCEL.with(|c| c.borrow_mut().take()) {
            cancel();
            return true;
        }
        false
    }

    /// Takes the files for the message `turn_id` being sent (kept for its Retry).
    pub fn take(&self, turn_id: u64) -> Vec<PendingFile> {
        self.error.set(None);
        let files = FILES.with(|f| std::mem::take(&mut *f.borrow_mut()));
        if !files.is_empty() {
            self.revision.update(|r| *r += 1);
            SENT.with(|s| s.borrow_mut().push((turn_id, files.clone())));
        }
        files
    }

    /// The files sent with the turn `earlier` from this page, to send again with the
    /// turn `turn_id` (none after a reload: the browser no longer holds them).
    pub fn resend(&self, earlier: u64, turn_id: u64) -> Vec<PendingFile> {
        SENT.with(|s| {
            let mut sent = s.borrow_mut();
            let files = sent
                .iter()
                .find(|(id, _)| *id == earlier)
                .map(|(_, f)| f.clone())
                .unwrap_or_default();
            if !files.is_empty() {
                sent.push((turn_id, files.clone()));
            }
            files
        })
    }

    /// Forgets the files of sent turns (another conversation is shown).
    pub fn forget_sent(&self) {
        SENT.with(|s| s.borrow_mut().clear());
    }

    /// Puts the files of a message that was not sent back, marking the one the server
    /// named in `why` (its refusals start with the file's name).
    pub fn put_back(&self, mut files: Vec<PendingFile>, why: &str) {
        for f in &mut files {
            f.refused = why.starts_with(&f.name);
        }
        self.update_files(|now| {
            files.append(now);
            *now = files;
        });
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn next_id(&self) -> u64 {
        NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        })
    }

    /// The chips of the files and the upload's progress, once the chunk is here (and its
    /// loading started the first time files are added).
    pub fn tray(&self) -> Option<AnyView> {
        let any = self.with_files(|f| !f.is_empty()) || self.progress.get().is_some();
        if !any {
            return None;
        }
        match self.tray_view.get() {
            Some(view) => Some(view(*self)),
            None => {
                let this = *self;
                leptos::task::spawn_local(async move {
                    let view = lazy::code().await.tray;
                    this.tray_view.set(Some(view));
                });
                None
            }
        }
    }
}

/// Provides the composer's files to the page; `loader` loads the attachments' code (see
/// `lazy`).
pub fn provide_attachments(loader: Loader) -> Attachments {
    lazy::install(loader);
    let a = Attachments {
        revision: RwSignal::new(0),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
        tray_view: RwSignal::new(None),
    };
    provide_context(a);
    a
}

pub fn use_attachments() -> Attachments {
    expect_context::<Attachments>()
}

/// Adds files (chosen, dropped or pasted) to the message, each checked against `limits`.
#[cfg(feature = "hydrate")]
pub fn add_files(a: Attachments, files: Vec<web_sys::File>, limits: crate::model::UploadLimits) {
    if files.is_empty() {
        return;
    }
    leptos::task::spawn_local(async move {
        (lazy::code().await.add)(a, files, limits);
    });
}

/// Takes files dropped anywhere on the page, while the calling view lives. While files
/// are dragged over the page, the body carries `data-dragging` (the hint the page shows).
#[cfg(feature = "hydrate")]
pub fn accept_drops(limits: crate::model::UploadLimits) {
    use leptos::ev;
    let a = use_attachments();
    let carries_files = |d: Option<web_sys::DataTransfer>| {
        d.is_some_and(|d| d.types().includes(&"Files".into(), 0))
    };
    let hint = |on: bool| {
        if let Some(body) = document().body() {
            let _ = if on {
                body.set_attribute("data-dragging", &crate::i18n::t("drop-files"))
            } else {
                body.remove_attribute("data-dragging")
            };
        }
    };
    let over = window_event_listener(ev::dragover, move |e| {
        if carries_files(e.data_transfer()) {
            e.prevent_default();
            if !document()
                .body()
                .is_some_and(|b| b.has_attribute("data-dragging"))
            {
                hint(true);
                preload();
            }
        }
    });
    // Leaving the window (not one element for another) ends the hint.
    let leave = window_event_listener(ev::dragleave, move |e| {
        if e.related_target().is_none() {
            hint(false);
        }
    });
    let drop = window_event_listener(ev::drop, move |e| {
        hint(false);
        if carries_files(e.data_transfer()) {
            e.prevent_default();
            add_files(
                a,
                file_list(e.data_transfer().and_then(|d| d.files())),
                limits,
            );
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });
}

/// The files of a `FileList` (from a file input, a drop or a paste).
#[cfg(feature = "hydrate")]
pub fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// Sends a message with files: the answer's stream once the server has taken them, or
/// why not (a refused file, the upload cancelled, the connection lost).
#[cfg(feature = "hydrate")]
pub async fn send(
    a: Attachments,
    req: crate::model::ChatRequest,
    files: Vec<PendingFile>,
) -> Result<upload::Answer, crate::api::ApiError> {
    (lazy::code().await.send)(a, req, files).await
}

#[cfg(feature = "hydrate")]
pub use upload::Answer as UploadAnswer;

/// A message's attachments or an answer's media.
pub async fn media(items: Vec<MediaItem>, compact: bool) -> AnyView {
    (lazy::code().await.media)(items, compact)
}

/// An answer's numbered sources; `anchor` prefixes their ids (the text's markers link
/// to `#{anchor}-{n}`).
pub async fn sources(list: Vec<Source>, anchor: String) -> AnyView {
    (lazy::code().await.sources)(list, anchor)
}

/// Starts loading the chunk (a file is about to be added).
pub fn preload() {
    leptos::task::spawn_local(async {
        lazy::code().await;
    });
}
