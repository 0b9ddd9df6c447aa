//! Per-user rate limits (GCRA via `governor`, keyed by user id) for sending messages and
//! for other server-function calls, and caps on answers streaming at once, per user and
//! overall. Refusals are 429 with `Retry-After` and a message that says when to retry.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::config::protection::Rate;
use super::user::{LimitKey, UserId};
use crate::error::ApiError;

/// The server function that sends messages (the send rate applies to it).
/// Browser error reports one user may send: a page that fails in a loop is heard, not
/// allowed to fill the log.
const REPORT_RATE: Rate = Rate {
    per_minute: 20,
    burst: 10,
};

/// The two per-user limiters. Cheap to clone.
#[derive(Clone)]
pub struct RateLimits {
    /// The send and call rates, kept in Redis for every replica when it is configured.
    shared: Option<super::shared::Shared>,
    send_rate: Rate,
    call_rate: Rate,
    send: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    calls: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    /// Browser error reports, per user: stricter than other calls, as each is logged.
    reports: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    /// New identities per client address (see `identity::LimitKey`).
    new_identities: Option<Arc<DefaultKeyedRateLimiter<Option<IpAddr>>>>,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(rate: Rate) -> Option<Arc<DefaultKeyedRateLimiter<K>>> {
    let per_minute = NonZeroU32::new(rate.per_minute)?;
    let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
    Some(Arc::new(RateLimiter::keyed(
        Quota::per_minute(per_minute).allow_burst(burst),
    )))
}

impl RateLimits {
    pub fn new(send: Rate, calls: Rate) -> Self {
        Self {
            shared: None,
            send_rate: send,
            call_rate: calls,
            send: limiter(send),
            calls: limiter(calls),
            reports: limiter(REPORT_RATE),
            new_identities: None,
        }
    }

    /// Also limits how fast one client address is given new identities.
    pub fn with_new_identities(mut self, rate: Rate) -> Self {
        self.new_identities = limiter(rate);
        self
    }

    /// `Err(wait)` when the client at `ip` must wait before it is given another identity.
    pub fn check_new_identity(&self, ip: Option<IpAddr>) -> Result<(), Duration> {
        let Some(l) = &self.new_identities else {
            return Ok(());
        };
        l.check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// `Err(wait)` when `user` must wait before sending another error report.
    pub fn check_report(&self, user: &str) -> Result<(), Duration> {
        let Some(l) = &self.reports else {
            return Ok(());
        };
        l.check_key(&user.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Counts the send and call rates in Redis, for every replica at once.
    pub fn shared(mut self, shared: super::shared::Shared) -> Self {
        self.shared = Some(shared);
        self
    }

    /// `Err(wait)` when `user` must wait before this request. With Redis, the rate is
    /// counted there for every replica; Redis failing, this replica counts on its own.
    pub async fn check(&self, user: &str, sending: bool) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            let (name, rate) = if sending {
                ("send", self.send_rate)
            } else {
                ("calls", self.call_rate)
            };
            if rate.per_minute == 0 {
                return Ok(());
            }
            match shared
                .check_rate(name, user, rate.per_minute, rate.burst)
                .await
            {
                Ok(checked) => return checked,
                Err(e) => super::shared::failed("rate_limits", &e),
            }
        }
        self.check_here(user, sending)
    }

    /// The rate as this process counts it.
    fn check_here(&self, user: &str, sending: bool) -> Result<(), Duration> {
        let limiter = if sending { &self.send } else { &self.calls };
        let Some(l) = limiter else { return Ok(()) };
        l.check_key(&user.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets users whose limits have fully recovered (bounds memory); call periodically.
    pub fn sweep(&self) {
        for l in [&self.send, &self.calls, &self.reports]
            .into_iter()
            .flatten()
        {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.new_identities {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Sweeps every minute for as long as the server runs.
    pub fn spawn_sweeper(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                this.sweep();
            }
        });
    }
}

/// Middleware (after identity): applies the send or call rate to server functions.
pub async fn rate_limit(State(limits): State<RateLimits>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    // Uploads, regenerated answers and edited questions count as sends.
    let sending = path == crate::routes::SEND_PATH
        || path == crate::routes::SEND_FILES_PATH
        || path == crate::routes::BRANCH_PATH;
    // A request without a proven identity counts against its client's address.
    let key = req.extensions().get::<LimitKey>().map(|k| k.0.clone());
    let Some(user) = key.or_else(|| req.extensions().get::<UserId>().map(|u| u.0.clone())) else {
        return next.run(req).await;
    };
    let reporting = path == crate::analytics::ERROR_REPORT_PATH;
    let checked = limits.check(&user, sending).await.and_then(|()| {
        if reporting {
            limits.check_report(&user)
        } else {
            Ok(())
        }
    });
    match checked {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            super::telemetry::metrics::rate_limited(match (sending, reporting) {
                (true, _) => "send",
                (_, true) => "reports",
                _ => "calls",
            });
            let what = if sending {
                "sending messages"
            } else {
                "making requests"
            };
            tracing::info!(
                user = %super::user::log_id(&user),
                path,
                retry_after_s = secs,
                "rate limit reached"
            );
            refusal(ApiError::rate_limited(what, secs), Some(secs))
        }
    }
}

/// A refusal in the server functions' error format, so the browser reads it as an
/// [`ApiError`].
pub fn refusal(err: ApiError, retry_after_s: Option<u64>) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = postcard::to_allocvec(&err).unwrap_or_default();
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-postcard"),
    );
    if let Some(s) = retry_after_s {
        h.insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    resp
}

/// Counts answers streaming at once, per user and overall: in Redis for every replica
/// when it is configured (the caps then hold across replicas), else in this process.
#[derive(Clone)]
pub struct StreamSlots {
    shared: Option<super::shared::Shared>,
    /// Redis slots being freed (see [`StreamSlots::settle`]).
    freeing: Arc<std::sync::atomic::AtomicUsize>,
    inner: Arc<Mutex<SlotCounts>>,
    per_user: usize,
    total: usize,
}

#[derive(Default)]
struct SlotCounts {
    by_user: HashMap<String, usize>,
    total: usize,
}

/// Why no stream slot was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotRefusal {
    User(usize),
    Server,
    /// This replica is leaving (see `drain`).
    Leaving,
}

impl SlotRefusal {
    pub fn message(self) -> String {
        match self {
            SlotRefusal::User(n) => format!(
                "You already have {n} answer{} streaming (in this or other tabs). Wait for one to finish, then send again.",
                if n == 1 { "" } else { "s" }
            ),
            SlotRefusal::Server => {
                "The chat is very busy right now. Try again in a moment.".into()
            }
            SlotRefusal::Leaving => {
                "This server is restarting. Send again in a moment.".into()
            }
        }
    }
}

/// Held while an answer streams; frees its slot when dropped.
pub struct StreamPermit {
    slots: StreamSlots,
    user: String,
    /// The slot in Redis and the task that renews it.
    shared: Option<(String, futures::future::AbortHandle)>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        if let (Some((slot, renewing)), Some(shared)) = (self.shared.take(), &self.slots.shared) {
            renewing.abort();
            let (shared, user) = (shared.clone(), self.user.clone());
            let freeing = self.slots.freeing.clone();
            freeing.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                if let Err(e) = shared.free_slot(&user, &slot).await {
                    // It frees itself when its time runs out.
                    super::shared::failed("stream_caps", &e);
                }
                freeing.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        let mut c = self.slots.lock();
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                c.by_user.remove(&self.user);
            }
        }
    }
}

impl StreamSlots {
    pub fn new(per_user: usize, total: usize) -> Self {
        Self {
            shared: None,
            freeing: Arc::default(),
            inner: Arc::default(),
            per_user,
            total,
        }
    }

    /// Waits (2 s at most) until the Redis slots of ended streams are freed: a replica
    /// that leaves frees its people's slots for the replica that resumes their answers.
    pub async fn settle(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while self.freeing.load(std::sync::atomic::Ordering::SeqCst) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Counts the slots in Redis, for every replica at once.
    pub fn shared(mut self, shared: super::shared::Shared) -> Self {
        self.shared = Some(shared);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotCounts> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for one of `user`'s answers, or why not. With Redis, the caps count every
    /// replica's streams; Redis failing, this replica counts its own.
    pub async fn acquire(&self, user: &str) -> Result<StreamPermit, SlotRefusal> {
        if super::drain::draining() {
            return Err(SlotRefusal::Leaving);
        }
        if let Some(shared) = &self.shared {
            let slot = uuid::Uuid::new_v4().simple().to_string();
            match shared
                .take_slot(user, &slot, self.per_user, self.total)
                .await
            {
                Ok(super::shared::SlotTaken::Yes) => {
                    let renewing = self.renew(shared.clone(), user.to_owned(), slot.clone());
                    let mut permit = self.count(user);
                    permit.shared = Some((slot, renewing));
                    return Ok(permit);
                }
                Ok(super::shared::SlotTaken::UserFull(n)) => {
                    super::telemetry::metrics::rate_limited("streams_per_user");
                    return Err(SlotRefusal::User(n));
                }
                Ok(super::shared::SlotTaken::ServerFull) => {
                    super::telemetry::metrics::rate_limited("streams_total");
                    return Err(SlotRefusal::Server);
                }
                Err(e) => super::shared::failed("stream_caps", &e),
            }
        }
        self.acquire_here(user)
    }

    /// Keeps a Redis slot alive while its answer streams.
    fn renew(
        &self,
        shared: super::shared::Shared,
        user: String,
        slot: String,
    ) -> futures::future::AbortHandle {
        let (task, handle) = futures::future::abortable(async move {
            let mut tick = tokio::time::interval(super::shared::SLOT_TTL / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = shared.renew_slot(&user, &slot).await {
                    super::shared::failed("stream_caps", &e);
                }
            }
        });
        tokio::spawn(task);
        handle
    }

    /// Counts a stream of `user`'s in this process, whatever the caps.
    fn count(&self, user: &str) -> StreamPermit {
        let mut c = self.lock();
        c.total += 1;
        *c.by_user.entry(user.to_owned()).or_default() += 1;
        StreamPermit {
            slots: self.clone(),
            user: user.to_owned(),
            shared: None,
        }
    }

    fn acquire_here(&self, user: &str) -> Result<StreamPermit, SlotRefusal> {
        let mut c = self.lock();
        if c.total >= self.total {
            super::telemetry::metrics::rate_limited("streams_total");
            return Err(SlotRefusal::Server);
        }
        let mine = c.by_user.get(user).copied().unwrap_or(0);
        if mine >= self.per_user {
            super::telemetry::metrics::rate_limited("streams_per_user");
            return Err(SlotRefusal::User(mine));
        }
        c.total += 1;
        *c.by_user.entry(user.to_owned()).or_default() += 1;
        Ok(StreamPermit {
            slots: self.clone(),
            user: user.to_owned(),
            shared: None,
        })
    }

    /// Answers streaming now.
    pub fn active(&self) -> usize {
        self.lock().total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_rate_refuses_after_the_burst_and_says_how_long_to_wait() {
        let l = RateLimits::new(
            Rate {
                per_minute: 6,
                burst: 2,
            },
            Rate {
                per_minute: 0,
                burst: 1,
            },
        );
        assert!(l.check_here("a", true).is_ok());
        assert!(l.check_here("a", true).is_ok());
        let wait = l.check_here("a", true).unwrap_err();
        assert!(
            wait > Duration::from_secs(8) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert!(l.check_here("b", true).is_ok(), "limits are per user");
        for _ in 0..100 {
            assert!(
                l.check_here("a", false).is_ok(),
                "0 per minute = no call limit"
            );
        }
    }

    #[test]
    fn error_reports_are_limited_per_user_more_tightly_than_calls() {
        let l = RateLimits::new(
            Rate {
                per_minute: 600,
                burst: 120,
            },
            Rate {
                per_minute: 600,
                burst: 120,
            },
        );
        let sent = (0..50).take_while(|_| l.check_report("a").is_ok()).count();
        assert_eq!(sent as u32, REPORT_RATE.burst);
        assert!(l.check_report("b").is_ok(), "per user");
        assert!(
            l.check_here("a", false).is_ok(),
            "other calls are not held up"
        );
    }

    #[test]
    fn new_identities_are_limited_per_client_address() {
        const OFF: Rate = Rate {
            per_minute: 0,
            burst: 1,
        };
        let l = RateLimits::new(OFF, OFF).with_new_identities(Rate {
            per_minute: 6,
            burst: 2,
        });
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(l.check_new_identity(a).is_ok());
        assert!(l.check_new_identity(a).is_ok());
        assert!(
            l.check_new_identity(a).is_err(),
            "a third in the same instant"
        );
        assert!(
            l.check_new_identity(b).is_ok(),
            "another address has its own"
        );
        assert!(l.check_new_identity(None).is_ok());
        let unlimited = RateLimits::new(OFF, OFF).with_new_identities(OFF);
        for _ in 0..50 {
            assert!(
                unlimited.check_new_identity(a).is_ok(),
                "0 per minute = no limit"
            );
        }
    }

    #[test]
    fn stream_slots_cap_per_user_and_overall_and_free_on_drop() {
        let s = StreamSlots::new(2, 3);
        let a1 = s.acquire_here("a").unwrap();
        let _a2 = s.acquire_here("a").unwrap();
        assert_eq!(s.acquire_here("a").err(), Some(SlotRefusal::User(2)));
        let _b1 = s.acquire_here("b").unwrap();
        assert_eq!(s.acquire_here("c").err(), Some(SlotRefusal::Server));
        drop(a1);
        assert_eq!(s.active(), 2);
        assert!(s.acquire_here("a").is_ok());
    }

    #[test]
    fn refusals_are_api_errors_with_retry_after() {
        let r = refusal(ApiError::rate_limited("sending messages", 7), Some(7));
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "7");
    }
}
