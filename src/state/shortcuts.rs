//! The page's keyboard shortcuts: which key does what, as data the key handler and the
//! "?" dialog both read.

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    NewChat,
    FocusComposer,
    SearchChats,
    Stop,
    ToggleSidebar,
    ShowShortcuts,
}

/// A key pressed, and where.
#[derive(Clone, Copy, Debug, Default)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`.
    pub key: &'a str,
    /// Ctrl, or ⌘ on a Mac.
    pub command: bool,
    pub shift: bool,
    pub alt: bool,
    /// Focus is in a field that takes text (where "?" is a character to type).
    pub typing: bool,
    /// Focus is in the message box.
    pub in_composer: bool,
}

/// The action a key press asks for, if any. Escape stops an answer only from the
/// message box: elsewhere it closes what is open (the drawer, a dialog, a search).
pub fn action_for(p: Press) -> Option<Action> {
    if p.alt {
        return None;
    }
    let key = p.key.to_ascii_lowercase();
    Some(match (p.command, p.shift, key.as_str()) {
        (true, true, "o") => Action::NewChat,
        (false, true, "escape") => Action::FocusComposer,
        (true, false, "k") => Action::SearchChats,
        (true, true, "s") => Action::ToggleSidebar,
        (true, false, "/") => Action::ShowShortcuts,
        (false, _, "?") if !p.typing => Action::ShowShortcuts,
        (false, false, "escape") if p.in_composer => Action::Stop,
        _ => return None,
    })
}

/// The shortcuts as the dialog lists them: the keys (`Mod` is Ctrl or ⌘) and the message
/// id of what they do.
pub const LIST: [(&[&str], &str); 6] = [
    (&["Mod", "Shift", "O"], "shortcut-new-chat"),
    (&["Shift", "Esc"], "shortcut-focus-composer"),
    (&["Mod", "K"], "shortcut-search-chats"),
    (&["Esc"], "shortcut-stop"),
    (&["Mod", "Shift", "S"], "shortcut-toggle-sidebar"),
    (&["?"], "shortcut-show"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: &str) -> Press<'_> {
        Press {
            key,
            ..Default::default()
        }
    }

    #[test]
    fn each_listed_shortcut_does_its_action() {
        let command = |key| Press {
            command: true,
            ..press(key)
        };
        let shifted = |p: Press<'static>| Press { shift: true, ..p };
        assert_eq!(action_for(shifted(command("O"))), Some(Action::NewChat));
        assert_eq!(
            action_for(shifted(press("Escape"))),
            Some(Action::FocusComposer)
        );
        assert_eq!(action_for(command("k")), Some(Action::SearchChats));
        assert_eq!(
            action_for(shifted(command("S"))),
            Some(Action::ToggleSidebar)
        );
        assert_eq!(action_for(command("/")), Some(Action::ShowShortcuts));
        assert_eq!(action_for(shifted(press("?"))), Some(Action::ShowShortcuts));
        let composer = Press {
            in_composer: true,
            typing: true,
            ..press("Escape")
        };
        assert_eq!(action_for(composer), Some(Action::Stop));
    }

    #[test]
    fn typing_and_other_keys_are_left_alone() {
        // "?" typed in a field is a character.
        let typing = Press {
            typing: true,
            shift: true,
            ..press("?")
        };
        assert_eq!(action_for(typing), None);
        // Escape outside the message box closes things instead.
        assert_eq!(action_for(press("Escape")), None);
        // Alt changes the key; plain letters are text.
        let alt = Press {
            alt: true,
            command: true,
            ..press("k")
        };
        assert_eq!(action_for(alt), None);
        assert_eq!(action_for(press("k")), None);
        assert_eq!(
            action_for(Press {
                command: true,
                ..press("o")
            }),
            None
        );
    }
}
