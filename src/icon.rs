//! Icons: SVG from Lucide (https://lucide.dev, lucide-static 1.62.0, ISC License,
//! Copyright (c) 2026 Lucide Icons and Contributors; see docs/dependencies.md), drawn from
//! one sprite, `style/icons.svg`: each symbol there is the inside of a 24×24 Lucide icon,
//! copied from its SVG file. Stroke and fill come from the `.icon` class, so an icon takes
//! the colour of its text. The server puts the sprite at the end of every page
//! ([`SPRITE`]), so icons are drawn with the page's first paint, with no request of their
//! own, and the wasm carries only each icon's name.

use leptos::prelude::*;

/// The sprite, for the page's end (the shell, rendered on the server only).
pub const SPRITE: &str = include_str!("../style/icons.svg");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IconName {
    Menu,
    PanelLeft,
    SquarePen,
    Pencil,
    Trash,
    Sun,
    Moon,
    Monitor,
    X,
    Keyboard,
    Languages,
}

impl IconName {
    fn href(self) -> &'static str {
        match self {
            IconName::Menu => "#menu",
            IconName::PanelLeft => "#panel-left",
            IconName::SquarePen => "#square-pen",
            IconName::Pencil => "#pencil",
            IconName::Trash => "#trash-2",
            IconName::Sun => "#sun",
            IconName::Moon => "#moon",
            IconName::Monitor => "#monitor",
            IconName::X => "#x",
            IconName::Keyboard => "#keyboard",
            IconName::Languages => "#languages",
        }
    }
}

/// An icon, hidden from assistive technology: the button or link around it carries the
/// accessible name (`aria-label`) and the tooltip (`title`).
#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg class="icon" aria-hidden="true" focusable="false">
            <use href=name.href() />
        </svg>
    }
}

/// Icons of the lazily loaded parts (an answer's tool card and copy button, an artifact's
/// close button),
/// drawn from their own markup: the sprite that every page carries holds only the icons
/// the page itself shows.
pub mod inline {
    use leptos::prelude::*;

    pub const WRENCH: &str = r#"<path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.106-3.105c.32-.322.863-.22.983.218a6 6 0 0 1-8.259 7.057l-7.91 7.91a1 1 0 0 1-2.999-3l7.91-7.91a6 6 0 0 1 7.057-8.259c.438.12.54.662.219.984z"/>"#;
    pub const COPY: &str = r#"<rect width="14" height="14" x="8" y="8" rx="2" ry="2"/><path d="M4 16c-1.1 0-2-.9-2-2V4c0-1.1.9-2 2-2h10c1.1 0 2 .9 2 2"/>"#;
    pub const X: &str = r#"<path d="M18 6 6 18"/><path d="m6 6 12 12"/>"#;
    pub const REGENERATE: &str =
        r#"<path d="M21 12a9 9 0 1 1-9-9c2.52 0 4.93 1 6.74 2.74L21 8"/><path d="M21 3v5h-5"/>"#;
    pub const PENCIL: &str = r#"<path d="M21.174 6.812a1 1 0 0 0-3.986-3.987L3.842 16.174a2 2 0 0 0-.5.83l-1.321 4.352a.5.5 0 0 0 .623.622l4.353-1.32a2 2 0 0 0 .83-.497z"/><path d="m15 5 4 4"/>"#;
    pub const PREVIOUS: &str = r#"<path d="m15 18-6-6 6-6"/>"#;
    pub const NEXT: &str = r#"<path d="m9 18 6-6-6-6"/>"#;
    pub const THUMB_UP: &str = r#"<path d="M7 10v12"/><path d="M15 5.88 14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z"/>"#;
    pub const THUMB_DOWN: &str = r#"<path d="M17 14V2"/><path d="M9 18.12 10 14H4.17a2 2 0 0 1-1.92-2.56l2.33-8A2 2 0 0 1 6.5 2H20a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2.76a2 2 0 0 0-1.79 1.11L12 22a3.13 3.13 0 0 1-3-3.88Z"/>"#;

    /// One of the icons above, hidden from assistive technology like [`super::Icon`].
    #[component]
    pub fn InlineIcon(paths: &'static str) -> impl IntoView {
        view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=paths></svg> }
    }
}
