//! The page's layout and look: the colour theme, the sidebar collapsed on a wide screen,
//! and the sidebar as a drawer on a narrow one (720 px or less, as the CSS says). The theme and the collapsed sidebar are
//! remembered in cookies rather than localStorage: the server reads them and renders the
//! page as it will look, so nothing flashes or moves when the app starts.

use leptos::prelude::*;

/// The colour theme: the system's, or one chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const COOKIE: &'static str = "agno_chat_theme";

    pub fn parse(value: &str) -> Self {
        match value {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The `data-theme` of the document: none for the system's theme.
    pub fn attr(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    /// The one a click on the theme button chooses.
    pub fn next(self) -> Self {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    /// The message id of the theme button's name.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "theme-system",
            Theme::Light => "theme-light",
            Theme::Dark => "theme-dark",
        }
    }
}

/// The cookie that remembers a collapsed sidebar (on a wide screen).
pub const SIDEBAR_COOKIE: &str = "agno_chat_sidebar";

/// The value of cookie `name` in a `Cookie` header (or `document.cookie`), if set.
pub fn cookie_value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// What the page remembers of its look, read from the cookies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Remembered {
    pub theme: Theme,
    pub collapsed: bool,
}

impl Remembered {
    pub fn from_cookies(cookies: &str) -> Self {
        Self {
            theme: cookie_value(cookies, Theme::COOKIE).map_or(Theme::System, Theme::parse),
            collapsed: cookie_value(cookies, SIDEBAR_COOKIE) == Some("collapsed"),
        }
    }

    /// Read from the request on the server, and from the document in the browser: both
    /// see the same cookies, so the page hydrates as it was rendered.
    pub fn current() -> Self {
        #[cfg(feature = "ssr")]
        {
            let cookies = use_context::<axum::http::request::Parts>()
                .and_then(|p| {
                    p.headers
                        .get(axum::http::header::COOKIE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            Self::from_cookies(&cookies)
        }
        #[cfg(not(feature = "ssr"))]
        {
            Self::from_cookies(&document_cookies())
        }
    }
}

/// The layout's state, shared by the page. The theme is not in it: the document's
/// `data-theme` is the one place that says it (see [`cycle_theme`]).
#[derive(Clone, Copy)]
pub struct Layout {
    /// The sidebar hidden on a wide screen.
    pub collapsed: RwSignal<bool>,
    /// The sidebar open as a drawer on a narrow screen.
    pub drawer: RwSignal<bool>,
}

pub fn provide_layout() -> Layout {
    let r = Remembered::current();
    let layout = Layout {
        collapsed: RwSignal::new(r.collapsed),
        drawer: RwSignal::new(false),
    };
    provide_context(layout);
    layout
}

pub fn use_layout() -> Layout {
    expect_context()
}

impl Layout {
    /// Collapses or expands the sidebar on a wide screen, remembered.
    pub fn toggle_collapsed(self) {
        let collapsed = !self.collapsed.get_untracked();
        self.collapsed.set(collapsed);
        set_cookie(SIDEBAR_COOKIE, if collapsed { "collapsed" } else { "" });
    }

    /// Shows the list of chats: the drawer on a narrow screen, the sidebar on a wide one.
    pub fn show_sidebar(self) {
        if narrow() {
            self.open_drawer();
        } else if self.collapsed.get_untracked() {
            self.toggle_collapsed();
        }
    }

    /// Shows or hides the list of chats, as the screen's width has it.
    pub fn toggle_sidebar(self) {
        if !narrow() {
            self.toggle_collapsed();
        } else if self.drawer.get_untracked() {
            self.close_drawer();
        } else {
            self.open_drawer();
        }
    }

    /// Opens the drawer and moves focus into it, to its first control.
    pub fn open_drawer(self) {
        self.drawer.set(true);
        focus_soon("[data-testid=new-chat]");
    }

    /// Closes the drawer and gives focus back to the button that opens it.
    pub fn close_drawer(self) {
        if self.drawer.get_untracked() {
            self.drawer.set(false);
            focus_soon("[data-testid=menu-button]");
        }
    }
}

/// Chooses the theme after the document's, applies it and remembers it; returns it.
pub fn cycle_theme() -> Theme {
    #[cfg(feature = "hydrate")]
    {
        let root = document().document_element();
        let now = root
            .as_ref()
            .and_then(|r| r.get_attribute("data-theme"))
            .map_or(Theme::System, |t| Theme::parse(&t));
        let theme = now.next();
        if let Some(root) = root {
            let _ = match theme.attr() {
                Some(t) => root.set_attribute("data-theme", t),
                None => root.remove_attribute("data-theme"),
            };
        }
        set_cookie(Theme::COOKIE, theme.attr().unwrap_or(""));
        theme
    }
    #[cfg(not(feature = "hydrate"))]
    Theme::System
}

/// The screen is narrow enough for the drawer (as the CSS says).
fn narrow() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window()
            .match_media("(max-width: 720px)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Focuses the element `selector` names once the page has been redrawn (the drawer shown,
/// or the page behind it no longer inert).
pub fn focus_soon(selector: &'static str) {
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || {
            use wasm_bindgen::JsCast;
            if let Some(el) = document()
                .query_selector(selector)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::ZERO,
    );
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}

#[cfg(not(feature = "ssr"))]
fn document_cookies() -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
            .and_then(|d| d.cookie().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Remembers `value` for a year (an empty value forgets it). Not HttpOnly: the page sets
/// it, and it holds nothing secret.
fn set_cookie(name: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let age = if value.is_empty() { "0" } else { "31536000" };
        if let Ok(d) = document().dyn_into::<web_sys::HtmlDocument>() {
            let cookie = [
                name,
                "=",
                value,
                "; Path=/; Max-Age=",
                age,
                "; SameSite=Lax",
            ];
            let _ = d.set_cookie(&cookie.concat());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, value);
}

/// Adds `<link rel="stylesheet" href=href>` to the document's head, unless it is there.
#[cfg(feature = "hydrate")]
pub fn add_stylesheet(href: &str) {
    let doc = leptos::prelude::document();
    let Some(head) = doc.head() else { return };
    let selector = format!("link[rel=stylesheet][href=\"{href}\"]");
    if head.query_selector(&selector).ok().flatten().is_some() {
        return;
    }
    if let Ok(link) = doc.create_element("link") {
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", href);
        let _ = head.append_child(&link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_remembered_look_from_cookies() {
        let r = Remembered::from_cookies(
            "agno_chat_id=abc; agno_chat_theme=dark; agno_chat_sidebar=collapsed",
        );
        assert_eq!(
            r,
            Remembered {
                theme: Theme::Dark,
                collapsed: true
            }
        );
        assert_eq!(Remembered::from_cookies(""), Remembered::default());
        // Unknown or forgotten values are the defaults.
        let r = Remembered::from_cookies("agno_chat_theme=purple;agno_chat_sidebar=");
        assert_eq!(r, Remembered::default());
        // A name that only ends like the cookie's is another cookie.
        assert_eq!(cookie_value("x_agno_chat_theme=dark", Theme::COOKIE), None);
    }

    #[test]
    fn the_theme_button_goes_round_the_three() {
        let mut t = Theme::System;
        let mut seen = vec![];
        for _ in 0..3 {
            t = t.next();
            seen.push(t.attr());
        }
        assert_eq!(seen, [Some("light"), Some("dark"), None]);
        assert_eq!(Theme::parse("light").label(), "theme-light");
    }
}
