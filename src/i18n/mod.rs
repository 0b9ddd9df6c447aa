//! The interface's words in the person's language. The messages are Fluent files in
//! `locales/` (see docs/languages.md); the server picks the language of each page (the
//! one chosen, else the browser's), renders the page in it and writes that language's
//! compiled messages into the page, where the browser reads them while it hydrates. The
//! other languages never reach the browser: switching reloads the page in the new one.
//!
//! `t("new-chat")` is a message in the page's language, `t_args` one with variables.

pub mod catalogue;
#[cfg(feature = "ssr")]
pub mod fluent;

pub use catalogue::Arg;
use catalogue::Numbers;

/// Message `id` in the page's language.
pub fn t(id: &str) -> String {
    with(|messages, numbers| catalogue::format(messages, id, &[], numbers))
}

/// Message `id` with its variables.
pub fn t_args(id: &str, args: &[(&str, Arg)]) -> String {
    with(|messages, numbers| catalogue::format(messages, id, args, numbers))
}

/// Message `id`'s words before and after its variable `name`.
pub fn t_around(id: &str, name: &str) -> (String, String) {
    with(|messages, numbers| catalogue::around(messages, id, name, numbers))
}

/// The page's language (a BCP 47 tag).
pub fn lang() -> String {
    with(|messages, _| catalogue::lang(messages).to_owned())
}

/// The languages one may switch to, as (tag, name in that language).
pub fn languages() -> Vec<(String, String)> {
    with(|messages, _| catalogue::languages(messages))
}

/// `n` written as the page's language writes numbers.
pub fn number(n: i64) -> String {
    with(|_, numbers| numbers.write(n))
}

/// A moment (seconds since the epoch) as the person's language and clock write it, date
/// and time; in the browser only, as only it knows the person's time zone.
pub fn date_time(epoch_s: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let options = js_sys::Object::new();
        for (k, v) in [("dateStyle", "medium"), ("timeStyle", "short")] {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        js_sys::Date::new(&JsValue::from_f64(epoch_s as f64 * 1000.0))
            .to_locale_string(&lang(), &options)
            .into()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        epoch_s.to_string()
    }
}

/// Reads the page's messages (on the server, the request's language; in the browser,
/// those the server wrote into the page). Call once, in the app's root.
pub fn provide_messages() {
    use crate::codec::PageText;
    use leptos::prelude::SharedValue;
    #[cfg(feature = "ssr")]
    {
        let locale = server::current();
        leptos::prelude::provide_context(server::PageLocale(locale));
        let _ =
            SharedValue::<String, PageText>::new_with_encoding(move || locale.catalogue.clone());
    }
    #[cfg(not(feature = "ssr"))]
    {
        let shared = SharedValue::<String, PageText>::new_with_encoding(String::new);
        browser::MESSAGES.with(|m| *m.borrow_mut() = shared.into_inner().into());
    }
}

#[cfg(feature = "ssr")]
fn with<T>(f: impl FnOnce(&str, &fluent::Locale) -> T) -> T {
    let locale = server::current();
    f(&locale.catalogue, locale)
}

#[cfg(not(feature = "ssr"))]
fn with<T>(f: impl FnOnce(&str, &browser::Numbers<'_>) -> T) -> T {
    let messages = browser::MESSAGES.with(|m| m.borrow().clone());
    let numbers = browser::Numbers(catalogue::lang(&messages));
    f(&messages, &numbers)
}

#[cfg(feature = "ssr")]
pub use server::for_request;

#[cfg(feature = "ssr")]
mod server {
    use super::fluent::{self, Locale};
    use axum::http::{header, request::Parts};
    use leptos::prelude::use_context;

    /// The language of the page being rendered.
    #[derive(Clone, Copy)]
    pub struct PageLocale(pub &'static Locale);

    /// The page's language, or (in a server function, or the document around the app) the
    /// one the request asks for.
    pub fn current() -> &'static Locale {
        if let Some(PageLocale(l)) = use_context() {
            return l;
        }
        match use_context::<Parts>() {
            Some(parts) => for_request(&parts.headers),
            None => fluent::locales().english(),
        }
    }

    /// The language a request asks for: the one chosen (the cookie), else the browser's.
    pub fn for_request(headers: &axum::http::HeaderMap) -> &'static Locale {
        let chosen = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == fluent::COOKIE)
            .map(|c| c.value().to_owned());
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        fluent::locales().negotiate(chosen.as_deref(), accept)
    }
}

#[cfg(not(feature = "ssr"))]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    thread_local! {
        /// The page's catalogue (`catalogue.rs`).
        pub static MESSAGES: RefCell<Rc<str>> = RefCell::new(Rc::from(""));
    }

    /// The browser's own rules for the language's numbers (`Intl`).
    pub struct Numbers<'a>(pub &'a str);

    impl super::Numbers for Numbers<'_> {
        fn category(&self, n: i64) -> String {
            #[cfg(feature = "hydrate")]
            {
                let locales = js_sys::Array::of1(&self.0.into());
                js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new())
                    .select(n as f64)
                    .into()
            }
            #[cfg(not(feature = "hydrate"))]
            if n == 1 { "one" } else { "other" }.into()
        }

        fn write(&self, n: i64) -> String {
            #[cfg(feature = "hydrate")]
            {
                js_sys::Number::from(n as f64)
                    .to_locale_string(self.0)
                    .into()
            }
            #[cfg(not(feature = "hydrate"))]
            n.to_string()
        }
    }
}
