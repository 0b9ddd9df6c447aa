//! Turn heights for the virtualized list: measured by one ResizeObserver once a turn is
//! rendered, estimated from its content before.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::conversation::Turn;

/// Measured turn heights, shared by the list and its turns. A turn not measured yet gets
/// an estimate from its own content (computed once), so measuring one turn never moves
/// the others.
#[derive(Clone, Copy)]
pub(super) struct Heights {
    measured: StoredValue<HashMap<u64, f64>>,
    estimated: StoredValue<HashMap<u64, f64>>,
    /// Bumped whenever a measured height changes.
    pub(super) version: RwSignal<u64>,
}

impl Heights {
    pub(super) fn new() -> Self {
        Self {
            measured: StoredValue::new(HashMap::new()),
            estimated: StoredValue::new(HashMap::new()),
            version: RwSignal::new(0),
        }
    }

    /// Heights of `turns` in order: measured, or the estimate.
    pub(super) fn of(&self, turns: &[Turn]) -> Vec<f64> {
        let mut out = Vec::with_capacity(turns.len());
        self.estimated.update_value(|e| {
            self.measured.with_value(|m| {
                out.extend(turns.iter().map(|t| match m.get(&t.id) {
                    Some(h) => *h,
                    None => *e.entry(t.id).or_insert_with(|| estimate(t)),
                }));
            })
        });
        out
    }

    /// Records measurements.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn record(&self, sizes: impl IntoIterator<Item = (u64, f64)>) {
        let mut changed = false;
        self.measured.update_value(|h| {
            for (id, px) in sizes {
                let old = h.insert(id, px);
                changed |= old.is_none_or(|o| (o - px).abs() > 0.5);
            }
        });
        if changed {
            self.version.update(|v| *v = v.wrapping_add(1));
        }
    }
}

/// A turn's height guessed from its text: a frame, plus lines of about 90 characters,
/// plus room for tool cards.
fn estimate(turn: &Turn) -> f64 {
    let lines = |s: &str| (s.len() / 90 + s.matches('\n').count() + 1) as f64;
    let (answer_lines, tools) = turn
        .answer
        .with_untracked(|a| (lines(&a.text), a.tools.len() as f64));
    (110.0 + 22.0 * (lines(&turn.question) + answer_lines) + 48.0 * tools).min(4000.0)
}

/// Measures rendered turns with one ResizeObserver (heights change as answers stream,
/// code is highlighted and charts load).
#[derive(Clone, Copy)]
pub(super) struct Measurer {
    #[cfg(feature = "hydrate")]
    observer: StoredValue<Option<MeasurerInner>, LocalStorage>,
    #[cfg(not(feature = "hydrate"))]
    _heights: Heights,
}

#[cfg(feature = "hydrate")]
struct MeasurerInner {
    observer: leptos::web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>,
}

impl Measurer {
    #[cfg(feature = "hydrate")]
    pub(super) fn new(heights: Heights) -> Self {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let sizes = entries.iter().filter_map(|entry| {
                let entry = entry
                    .dyn_into::<leptos::web_sys::ResizeObserverEntry>()
                    .ok()?;
                let target = entry.target();
                let id = target.get_attribute("data-turn-id")?.parse::<u64>().ok()?;
                Some((id, target.get_bounding_client_rect().height()))
            });
            let sizes: Vec<_> = sizes.collect();
            if !sizes.is_empty() {
                heights.record(sizes);
            }
        });
        let observer = leptos::web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref())
            .ok()
            .map(|observer| MeasurerInner {
                observer,
                _callback: callback,
            });
        let stored = StoredValue::new_local(observer);
        on_cleanup(move || {
            stored.with_value(|o| {
                if let Some(o) = o {
                    o.observer.disconnect();
                }
            })
        });
        Self { observer: stored }
    }

    #[cfg(not(feature = "hydrate"))]
    pub(super) fn new(heights: Heights) -> Self {
        Self { _heights: heights }
    }

    pub(super) fn observe(&self, el: &leptos::web_sys::HtmlElement) {
        #[cfg(feature = "hydrate")]
        self.observer.with_value(|o| {
            if let Some(o) = o {
                o.observer.observe(el);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = el;
    }

    pub(super) fn unobserve(&self, el: &leptos::web_sys::HtmlElement) {
        #[cfg(feature = "hydrate")]
        self.observer.with_value(|o| {
            if let Some(o) = o {
                o.observer.unobserve(el);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = el;
    }
}
