//! Sends a message with its files to `POST /api/chat/send-files` through
//! `XMLHttpRequest`, the one browser API that reports upload progress (fetch cannot), and
//! reads the answer's stream as it arrives. The response is read as bytes (the
//! `x-user-defined` charset maps each byte to one character), so the answer's UTF-8 and a
//! refusal's postcard both arrive intact.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{Attachments, PendingFile};
use crate::api::ApiError;
use crate::chat::event::RunEvent;
use crate::i18n::t;
use crate::model::ChatRequest;

enum Msg {
    Status(u16),
    Bytes(Vec<u8>),
    Done,
    Failed(String),
}

/// The answer's stream, as chunks of bytes; it holds the request, which ends when it is
/// dropped.
pub struct Answer {
    first: Option<Vec<u8>>,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// The end was read already, with the first line.
    ended: bool,
    _request: Request,
}

impl Answer {
    /// The next chunk, or why the stream broke; `None` at its end.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, String>> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        if self.ended {
            return None;
        }
        match self.rx.next().await? {
            Msg::Bytes(b) => Some(Ok(b)),
            Msg::Status(_) => Some(Ok(Vec::new())),
            Msg::Done => None,
            Msg::Failed(why) => Some(Err(why)),
        }
    }
}

/// The request and the callbacks it calls, kept alive together.
struct Request {
    xhr: web_sys::XmlHttpRequest,
    _callbacks: Vec<Box<dyn std::any::Any>>,
    done: Rc<RefCell<bool>>,
}

impl Drop for Request {
    fn drop(&mut self) {
        if !*self.done.borrow() {
            let _ = self.xhr.abort();
        }
        self.xhr.set_onreadystatechange(None);
        self.xhr.set_onprogress(None);
        self.xhr.set_onload(None);
        self.xhr.set_onerror(None);
        self.xhr.set_onabort(None);
        if let Ok(up) = self.xhr.upload() {
            up.set_onprogress(None);
        }
    }
}

fn js_error(e: JsValue) -> ApiError {
    let why = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser refused the upload".into());
    ApiError::Transport(why)
}

pub async fn send(
    a: Attachments,
    req: ChatRequest,
    files: Vec<PendingFile>,
) -> Result<Answer, ApiError> {
    let form = web_sys::FormData::new().map_err(js_error)?;
    let json = serde_json::to_string(&req).map_err(|e| ApiError::Internal(e.to_string()))?;
    form.append_with_str("req", &json).map_err(js_error)?;
    for f in &files {
        form.append_with_blob_and_filename("files", &f.file, &f.name)
            .map_err(js_error)?;
    }
    let xhr = web_sys::XmlHttpRequest::new().map_err(js_error)?;
    xhr.open("POST", crate::routes::SEND_FILES_PATH)
        .map_err(js_error)?;
    xhr.override_mime_type("text/plain; charset=x-user-defined")
        .map_err(js_error)?;
    let (tx, mut rx) = mpsc::unbounded::<Msg>();
    let seen = Rc::new(RefCell::new(0u32));
    let done = Rc::new(RefCell::new(false));
    // What arrived since the last call, as bytes.
    let pump = {
        let xhr = xhr.clone();
        let tx = tx.clone();
        let seen = seen.clone();
        move || {
            let Ok(text) = xhr.response() else { return };
            let Some(text) = text.dyn_ref::<js_sys::JsString>() else {
                return;
            };
            let len = text.length();
            let from = *seen.borrow();
            if len > from {
                let part: String = text.slice(from, len).into();
                let bytes: Vec<u8> = part.chars().map(|c| (c as u32 & 0xff) as u8).collect();
                *seen.borrow_mut() = len;
                let _ = tx.unbounded_send(Msg::Bytes(bytes));
            }
        }
    };
    let mut callbacks: Vec<Box<dyn std::any::Any>> = Vec::new();
    {
        let xhr2 = xhr.clone();
        let tx = tx.clone();
        let pump = pump.clone();
        let mut told = false;
        let cb = Closure::<dyn FnMut()>::new(move || {
            let state = xhr2.ready_state();
            // Status 0 is no answer at all (aborted, or the network failed): `onabort` or
            // `onerror` says which.
            let status = xhr2.status().unwrap_or(0);
            if state >= 2 && !told && status != 0 {
                told = true;
                let _ = tx.unbounded_send(Msg::Status(status));
            }
            if state >= 3 {
                pump();
            }
        });
        xhr.set_onreadystatechange(Some(cb.as_ref().unchecked_ref()));
        callbacks.push(Box::new(cb));
    }
    {
        let pump = pump.clone();
        let cb = Closure::<dyn FnMut()>::new(pump);
        xhr.set_onprogress(Some(cb.as_ref().unchecked_ref()));
        callbacks.push(Box::new(cb));
    }
    {
        let tx = tx.clone();
        let done = done.clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            pump();
            *done.borrow_mut() = true;
            a.progress.set(None);
            let _ = tx.unbounded_send(Msg::Done);
        });
        xhr.set_onload(Some(cb.as_ref().unchecked_ref()));
        callbacks.push(Box::new(cb));
    }
    for (aborted, set) in [(false, 0), (true, 1)] {
        let tx = tx.clone();
        let done = done.clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            *done.borrow_mut() = true;
            a.progress.set(None);
            let why = if aborted {
                t("upload-cancelled")
            } else {
                t("upload-failed")
            };
            let _ = tx.unbounded_send(Msg::Failed(why));
        });
        if set == 0 {
            xhr.set_onerror(Some(cb.as_ref().unchecked_ref()));
        } else {
            xhr.set_onabort(Some(cb.as_ref().unchecked_ref()));
        }
        callbacks.push(Box::new(cb));
    }
    if let Ok(up) = xhr.upload() {
        let cb =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    a.progress.set(Some((e.loaded() / e.total()).min(1.0)));
                }
            });
        up.set_onprogress(Some(cb.as_ref().unchecked_ref()));
        callbacks.push(Box::new(cb));
    }
    {
        let xhr = xhr.clone();
        super::CANCEL.with(|c| {
            *c.borrow_mut() = Some(Box::new(move || {
                let _ = xhr.abort();
            }))
        });
    }
    a.progress.set(Some(0.0));
    xhr.send_with_opt_form_data(Some(&form)).map_err(js_error)?;
    let request = Request {
        xhr,
        _callbacks: callbacks,
        done,
    };

    // The status first: a refusal of the form itself comes as an error answer.
    let status = loop {
        match rx.next().await {
            Some(Msg::Status(s)) => break s,
            Some(Msg::Failed(why)) => {
                super::CANCEL.with(|c| c.borrow_mut().take());
                return Err(ApiError::Invalid(why));
            }
            Some(_) => continue,
            None => return Err(ApiError::Invalid(t("upload-failed"))),
        }
    };
    if status != 200 {
        let mut body = Vec::new();
        while let Some(m) = rx.next().await {
            match m {
                Msg::Bytes(b) => body.extend(b),
                Msg::Done | Msg::Failed(_) => break,
                Msg::Status(_) => {}
            }
        }
        super::CANCEL.with(|c| c.borrow_mut().take());
        return Err(<ApiError as leptos::server_fn::error::FromServerFnError>::de(body.into()));
    }
    // Then the first line: a refused file (or message) arrives in-band, before any run.
    let mut first = Vec::new();
    let mut ended = false;
    let refusal = loop {
        match rx.next().await {
            Some(Msg::Bytes(b)) => {
                first.extend(b);
                if first.contains(&b'\n') {
                    let line = first.split(|b| *b == b'\n').next().unwrap_or_default();
                    break match serde_json::from_slice::<RunEvent>(line) {
                        Ok(RunEvent::Failed { message, .. }) => Some(message),
                        _ => None,
                    };
                }
            }
            Some(Msg::Status(_)) => {}
            Some(Msg::Done) | None => {
                ended = true;
                break None;
            }
            Some(Msg::Failed(why)) => {
                super::CANCEL.with(|c| c.borrow_mut().take());
                return Err(ApiError::Invalid(why));
            }
        }
    };
    super::CANCEL.with(|c| c.borrow_mut().take());
    a.progress.set(None);
    if let Some(message) = refusal {
        return Err(ApiError::Invalid(message));
    }
    Ok(Answer {
        first: Some(first),
        rx,
        ended,
        _request: request,
    })
}
