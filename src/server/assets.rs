//! The built front-end files (names as cargo-leptos wrote them, hashed or not) and the
//! script that starts the app in the browser.

use std::path::Path;
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

/// Paths, from the site root, of the app's JS and wasm and of the chunk loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontFiles {
    pub js: String,
    pub wasm: String,
    /// Only in builds with lazily loaded chunks (`cargo leptos build --split`).
    pub split_loader: Option<String>,
}

/// The front-end files of this build, read once (from `hash.txt` beside the binary when
/// files are hashed).
pub fn front_files(options: &LeptosOptions) -> &'static FrontFiles {
    static FILES: OnceLock<FrontFiles> = OnceLock::new();
    FILES.get_or_init(|| {
        let hashes = options
            .hash_files
            .then(|| {
                let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
                std::fs::read_to_string(dir.join(options.hash_file.as_ref())).ok()
            })
            .flatten();
        if options.hash_files && hashes.is_none() {
            tracing::error!("file hashing is on but hash.txt was not found beside the binary");
        }
        let files = files_named(
            options.output_name.as_ref(),
            &options.site_pkg_dir,
            hashes.as_deref(),
            option_env!("LEPTOS_OUTPUT_NAME").is_some(),
        );
        let loader_exists = |rel: &String| {
            Path::new(options.site_root.as_ref())
                .join(rel.trim_start_matches('/'))
                .is_file()
        };
        FrontFiles {
            split_loader: files.split_loader.clone().filter(loader_exists),
            ..files
        }
    })
}

/// The names cargo-leptos gives the files: `<output>.<hash>.js` when hashed, else
/// `<output>.js`, and `<output>_bg.wasm` when the crate was built without cargo-leptos.
pub fn files_named(
    output: &str,
    pkg_dir: &str,
    hashes: Option<&str>,
    built_by_cargo_leptos: bool,
) -> FrontFiles {
    let hash = |file: &str| hashes.and_then(|h| hash_of(h, file));
    let name = |file: &str, ext: &str| match hash(file) {
        Some(h) => format!("/{pkg_dir}/{output}.{h}.{ext}"),
        None if ext == "wasm" && !built_by_cargo_leptos => format!("/{pkg_dir}/{output}_bg.wasm"),
        None => format!("/{pkg_dir}/{output}.{ext}"),
    };
    FrontFiles {
        js: name("js", "js"),
        wasm: name("wasm", "wasm"),
        split_loader: Some(match (hashes, hash("split")) {
            (Some(_), Some(h)) => format!("/{pkg_dir}/__wasm_split.{h}.js"),
            // cargo-leptos's name for the loader when files are not hashed.
            _ => format!("/{pkg_dir}/__wasm_split.______________________.js"),
        }),
    }
}

/// The script that starts the app (`js/start.js`), inlined in the page ahead of the
/// stylesheets with the files it loads named on its element (`data-js`, `data-wasm`): the
/// app's JS and wasm load and compile while the rest of the page is parsed, and the page
/// hydrates once fully parsed.
///
/// Until the app has started (the body is marked `data-hydrated`) the message box takes
/// typing natively, and the app reads what was typed when it starts. Meanwhile Enter (not
/// Shift+Enter, not while an input method composes) or Send marks the composer's form
/// `data-queued` when there is text, and the app sends it once ready (typing more takes
/// the mark back); any other form's submission is held back, as a native one would
/// reload the page and lose what was typed.
pub const START_SCRIPT: &str = include_str!("../../js/start.js");

/// A file's hash in cargo-leptos's `hash.txt` (lines such as `split: <hash>`).
pub fn hash_of<'a>(hashes: &'a str, file: &str) -> Option<&'a str> {
    hashes
        .lines()
        .filter_map(|l| l.trim().split_once(':'))
        .find(|(f, _)| f.trim() == file)
        .map(|(_, hash)| hash.trim())
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASHES: &str = "js: Bw5j\nwasm: TCh1\ncss: JlSm\nmanifest: iB0G\nsplit: vIeA\n";

    #[test]
    fn reads_hashes() {
        assert_eq!(hash_of(HASHES, "split"), Some("vIeA"));
        assert_eq!(hash_of(HASHES, "wasm"), Some("TCh1"));
        assert_eq!(
            hash_of("js: a\nwasm: b\n", "split"),
            None,
            "a build without --split"
        );
        assert_eq!(hash_of("split:   \n", "split"), None);
    }

    #[test]
    fn names_hashed_and_plain_files() {
        let f = files_named("agno-chat", "pkg", Some(HASHES), true);
        assert_eq!(f.js, "/pkg/agno-chat.Bw5j.js");
        assert_eq!(f.wasm, "/pkg/agno-chat.TCh1.wasm");
        assert_eq!(f.split_loader.as_deref(), Some("/pkg/__wasm_split.vIeA.js"));
        let f = files_named("agno-chat", "pkg", None, true);
        assert_eq!(f.js, "/pkg/agno-chat.js");
        assert_eq!(f.wasm, "/pkg/agno-chat.wasm");
        let f = files_named("app", "pkg", None, false);
        assert_eq!(f.wasm, "/pkg/app_bg.wasm");
    }

    #[test]
    fn the_start_script_hydrates_once_parsed_and_keeps_early_input() {
        let s = START_SCRIPT;
        assert!(s.contains("files.js") && s.contains("module_or_path: files.wasm"));
        assert!(s.contains("DOMContentLoaded") && s.contains(".hydrate()"));
        assert!(s.contains(crate::state::draft::QUEUED_ATTR));
        assert!(
            !s.contains("</"),
            "nothing that could end the script element"
        );
    }
}
