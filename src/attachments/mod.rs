//! Attachments: the files a person adds to a message (attach button, drag and drop onto
//! the conversation, pasted images), checked against the server's limits and sent with
//! upload progress; and what answers bring back (images, audio, videos, files, numbered
//! sources). The composer, the turns and the answers hold only the small hooks below:
//! the code behind them is one lazily loaded chunk (`lazy`), fetched when a file is added
//! or a turn with media is shown.

mod lazy;
pub mod limits;
mod media_view;
mod tray;
#[cfg(feature = "hydrate")]
mod upload;

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

/// Where values holding browser objects live: thread-local in the browser; on the server,
/// which renders pages on any thread and never holds a file, shared storage.
#[cfg(feature = "hydrate")]
pub type FileStorage = LocalStorage;
#[cfg(not(feature = "hydrate"))]
pub type FileStorage = SyncStorage;

/// The files of the message being written, and the upload in flight.
#[derive(Clone, Copy)]
pub struct Attachments {
    pub files: RwSignal<Vec<PendingFile>, FileStorage>,
    /// How much of the upload in flight has left the browser (0 to 1).
    pub progress: RwSignal<Option<f64>>,
    /// Why the last file was not added.
    pub error: RwSignal<Option<String>>,
    /// A file is dragged over the conversation.
    pub dragging: RwSignal<bool>,
    /// Cancels the upload in flight.
    #[cfg(feature = "hydrate")]
    cancel: StoredValue<Option<Box<dyn Fn()>>, LocalStorage>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    next_id: StoredValue<u64>,
}

impl Attachments {
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
        if let Some(cancel) = self.cancel.try_update_value(Option::take).flatten() {
            cancel();
            return true;
        }
        false
    }

    /// Takes the files for a message being sent.
    pub fn take(&self) -> Vec<PendingFile> {
        self.error.set(None);
        let files = self.files.get_untracked();
        if !files.is_empty() {
            self.files.set(Vec::new());
        }
        files
    }

    /// Puts the files of a message that was not sent back, marking the one the server
    /// named in `why` (its refusals start with the file's name).
    pub fn put_back(&self, mut files: Vec<PendingFile>, why: &str) {
        for f in &mut files {
            f.refused = why.starts_with(&f.name);
        }
        self.files.update(|now| {
            files.append(now);
            *now = files;
        });
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }
}

pub fn provide_attachments() -> Attachments {
    let a = Attachments {
        files: RwSignal::new_with_storage(Vec::new()),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
        dragging: RwSignal::new(false),
        #[cfg(feature = "hydrate")]
        cancel: StoredValue::new_local(None),
        next_id: StoredValue::new(1),
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

/// The chips of the files added to the message being written, and the upload's progress.
pub async fn tray(a: Attachments) -> AnyView {
    (lazy::code().await.tray)(a)
}

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
