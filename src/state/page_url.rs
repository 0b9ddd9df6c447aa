//! The page's address. The app has one page, at `/`; its query names the agent or team
//! (`?agent=ID` or `?team=ID`) and may name a conversation (`?session=ID`).
//!
//! The address is read on the server from the request and in the browser from
//! `location`, and kept in signals. Choosing an agent pushes a new address; Back and
//! Forward are followed. That is all this app needs of a router: leptos_router's route
//! matching and link handling, unused here, were 11 KB of the first load's
//! compressed wasm.

use leptos::prelude::*;

/// The page's path and query (without the `?`), as signals.
#[derive(Clone, Copy)]
pub struct PageUrl {
    path: RwSignal<String>,
    query: RwSignal<String>,
}

impl PageUrl {
    /// Whether this is the app's page, `/` (tracked).
    pub fn is_home(&self) -> bool {
        self.path.with(|p| p.is_empty() || p == "/")
    }

    /// The query parameter `name`, decoded (tracked).
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.with(|q| query_param(q, name))
    }

    /// Sets (or, with `None`, removes) the query parameter `name` in place, replacing the
    /// current history entry: the address then always names what is shown, so a reload
    /// or a copied link opens it. Does nothing when the address says so already.
    pub fn set_param(&self, name: &str, value: Option<&str>) {
        let query = self.query.get_untracked();
        let next = with_param(&query, name, value);
        if next == query {
            return;
        }
        let path = self.path.get_untracked();
        #[cfg(feature = "hydrate")]
        {
            let href = if next.is_empty() {
                path.clone()
            } else {
                format!("{path}?{next}")
            };
            if let Ok(history) = window().history() {
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
            }
        }
        let _ = path;
        self.query.set(next);
    }

    /// Goes to `href` (a path and query on this site) without reloading the page, as a
    /// new entry in the browser's history.
    pub fn go(&self, href: &str) {
        #[cfg(feature = "hydrate")]
        {
            if let Ok(history) = window().history() {
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
            }
        }
        let (path, query) = href.split_once('?').unwrap_or((href, ""));
        self.path.set(path.to_owned());
        self.query.set(query.to_owned());
    }
}

/// Reads the page's address and provides it to the page.
pub fn provide_page_url() -> PageUrl {
    let (path, query) = current();
    let url = PageUrl {
        path: RwSignal::new(path),
        query: RwSignal::new(query),
    };
    #[cfg(feature = "hydrate")]
    {
        // Back and Forward between the addresses `go` pushed. The listener stays as long
        // as the document (dropping its handle does not remove it).
        let _ = window_event_listener(leptos::ev::popstate, move |_| {
            let (path, query) = current();
            url.path.set(path);
            url.query.set(query);
        });
    }
    provide_context(url);
    url
}

pub fn use_page_url() -> PageUrl {
    expect_context::<PageUrl>()
}

/// The address being rendered: the request's on the server, `location`'s in the browser.
fn current() -> (String, String) {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .map(|p| {
                (
                    p.uri.path().to_owned(),
                    p.uri.query().unwrap_or_default().to_owned(),
                )
            })
            .unwrap_or_else(|| ("/".to_owned(), String::new()))
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let location = window().location();
        let path = location.pathname().unwrap_or_default();
        let search = location.search().unwrap_or_default();
        (path, search.trim_start_matches('?').to_owned())
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        ("/".to_owned(), String::new())
    }
}

/// The first value of `name` in an `application/x-www-form-urlencoded` query, decoded.
/// The same on the server and in the browser, so both read an address the same way.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `query` with parameter `name` set to `value` (replacing every earlier value, in the
/// place of the first) or removed, the other parameters as they were.
pub fn with_param(query: &str, name: &str, value: Option<&str>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    let mut placed = false;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == name {
            if let (Some(v), false) = (value, placed) {
                out.append_pair(name, v);
            }
            placed = true;
        } else {
            out.append_pair(&k, &v);
        }
    }
    if let (Some(v), false) = (value, placed) {
        out.append_pair(name, v);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::{query_param, with_param};

    #[test]
    fn a_parameter_is_set_replaced_or_removed_in_place() {
        assert_eq!(
            with_param("agent=echo", "session", Some("s1")),
            "agent=echo&session=s1"
        );
        assert_eq!(
            with_param("agent=echo&session=a&x=1", "session", Some("b")),
            "agent=echo&session=b&x=1"
        );
        assert_eq!(
            with_param("agent=echo&session=a", "session", None),
            "agent=echo"
        );
        assert_eq!(
            with_param("session=a&session=b", "session", Some("c")),
            "session=c"
        );
        assert_eq!(with_param("", "session", None), "");
        assert_eq!(with_param("agent=echo", "session", None), "agent=echo");
        assert_eq!(
            with_param("agent=a%20b", "session", Some("é")),
            "agent=a+b&session=%C3%A9"
        );
    }

    #[test]
    fn reads_and_decodes_parameters() {
        let q = "agent=echo-agent&session=a%20b+c&empty=&flag";
        assert_eq!(query_param(q, "agent").as_deref(), Some("echo-agent"));
        assert_eq!(query_param(q, "session").as_deref(), Some("a b c"));
        assert_eq!(query_param(q, "empty").as_deref(), Some(""));
        assert_eq!(query_param(q, "flag").as_deref(), Some(""));
        assert_eq!(query_param(q, "team"), None);
        assert_eq!(query_param("", "agent"), None);
    }

    #[test]
    fn the_first_value_wins_and_names_are_decoded() {
        assert_eq!(query_param("a=1&a=2", "a").as_deref(), Some("1"));
        assert_eq!(query_param("te%61m=x", "team").as_deref(), Some("x"));
    }

    #[test]
    fn unicode_and_broken_escapes_do_not_panic() {
        assert_eq!(query_param("s=%C3%A9t%C3%A9", "s").as_deref(), Some("été"));
        assert_eq!(query_param("s=100%", "s").as_deref(), Some("100%"));
        assert_eq!(query_param("s=%4", "s").as_deref(), Some("%4"));
        assert_eq!(query_param("s=%zz", "s").as_deref(), Some("%zz"));
        assert_eq!(query_param("s=%FF", "s").as_deref(), Some("\u{FFFD}"));
        assert_eq!(query_param("s=é", "s").as_deref(), Some("é"));
    }
}
