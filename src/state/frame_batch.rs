//! Applying a stream's run events to the page at most once per animation frame.

use leptos::prelude::request_animation_frame;

use crate::chat::event::RunEvent;

/// Applies a stream's run events at most once per animation frame, with a leading edge:
/// events arriving while no frame is pending (the first token, or the first after a
/// pause) are applied at once, so they reach the DOM without waiting for a frame; the
/// events that follow within that frame wait for it and are applied together. Dropping
/// the batch (the stream task ended or was aborted) discards a frame that has not run.
pub struct FrameBatch {
    pending: std::rc::Rc<std::cell::RefCell<PendingEvents>>,
    apply: std::rc::Rc<dyn Fn(Vec<RunEvent>)>,
}

#[derive(Default)]
struct PendingEvents {
    events: Vec<RunEvent>,
    /// A frame is pending: events wait for it.
    ticking: bool,
    closed: bool,
}

impl FrameBatch {
    pub fn new(apply: impl Fn(Vec<RunEvent>) + 'static) -> Self {
        Self {
            pending: Default::default(),
            apply: std::rc::Rc::new(apply),
        }
    }

    pub fn push(&self, events: Vec<RunEvent>) {
        let now = {
            let mut pending = self.pending.borrow_mut();
            pending.events.extend(events);
            if pending.ticking {
                return;
            }
            pending.ticking = true;
            std::mem::take(&mut pending.events)
        };
        (self.apply)(now);
        Self::tick(self.pending.clone(), self.apply.clone());
    }

    /// At the next frame: applies what arrived since, and keeps ticking while events
    /// keep coming; a frame with nothing new ends it (the next event is applied at once).
    fn tick(
        pending: std::rc::Rc<std::cell::RefCell<PendingEvents>>,
        apply: std::rc::Rc<dyn Fn(Vec<RunEvent>)>,
    ) {
        request_animation_frame(move || {
            let events = {
                let mut p = pending.borrow_mut();
                if p.closed {
                    return;
                }
                if p.events.is_empty() {
                    p.ticking = false;
                    return;
                }
                std::mem::take(&mut p.events)
            };
            apply(events);
            Self::tick(pending, apply);
        });
    }

    /// Takes the waiting events now (at the end of the stream).
    pub fn take(&self) -> Vec<RunEvent> {
        std::mem::take(&mut self.pending.borrow_mut().events)
    }
}

impl Drop for FrameBatch {
    fn drop(&mut self) {
        self.pending.borrow_mut().closed = true;
    }
}
