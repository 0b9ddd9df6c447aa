//! A one-value cache that serves a stale copy while it fetches a new one
//! (stale-while-revalidate), for data every page needs and that rarely changes: AgentOS's
//! agents and teams. Rendering a page then never waits on AgentOS once the copy exists.
//!
//! - A copy younger than `fresh_for` is served as is.
//! - An older copy, up to `stale_for`, is served at once, and one background fetch
//!   replaces it (concurrent callers do not start more).
//! - Without a usable copy the caller fetches; concurrent callers wait for that fetch
//!   instead of starting their own.
//! - Failures are never kept: the next caller tries again.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How usable a copy of a given age is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Stale,
    Missing,
}

/// The policy, apart from the clock and the locks.
pub fn freshness(age: Option<Duration>, fresh_for: Duration, stale_for: Duration) -> Freshness {
    match age {
        Some(a) if a < fresh_for => Freshness::Fresh,
        Some(a) if a < stale_for => Freshness::Stale,
        _ => Freshness::Missing,
    }
}

/// See the module documentation. Cheap to clone (shares the copy).
#[derive(Clone)]
pub struct SwrCache<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    copy: Mutex<Option<(Instant, T)>>,
    /// Held while a caller without a usable copy fetches.
    fetching: tokio::sync::Mutex<()>,
    /// Set while a background refresh runs.
    refreshing: AtomicBool,
    fresh_for: Duration,
    stale_for: Duration,
}

impl<T: Clone + Send + Sync + 'static> SwrCache<T> {
    pub fn new(fresh_for: Duration, stale_for: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                copy: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
                refreshing: AtomicBool::new(false),
                fresh_for,
                stale_for: stale_for.max(fresh_for),
            }),
        }
    }

    fn peek(&self) -> (Freshness, Option<T>) {
        let copy = self.inner.copy.lock().unwrap_or_else(|p| p.into_inner());
        let age = copy.as_ref().map(|(at, _)| at.elapsed());
        let f = freshness(age, self.inner.fresh_for, self.inner.stale_for);
        match f {
            Freshness::Missing => (f, None),
            _ => (f, copy.as_ref().map(|(_, v)| v.clone())),
        }
    }

    fn store(&self, value: T) {
        *self.inner.copy.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), value));
    }

    /// The value, from the copy when it is usable, else from `fetch`.
    pub async fn get<F, Fut, E>(&self, fetch: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        match self.peek() {
            (Freshness::Fresh, Some(v)) => return Ok(v),
            (Freshness::Stale, Some(v)) => {
                self.refresh_in_background(fetch);
                return Ok(v);
            }
            _ => {}
        }
        let _turn = self.inner.fetching.lock().await;
        // Whoever held the lock before may have just stored a copy.
        if let (Freshness::Fresh, Some(v)) = self.peek() {
            return Ok(v);
        }
        let value = fetch().await?;
        self.store(value.clone());
        Ok(value)
    }

    fn refresh_in_background<F, Fut, E>(&self, fetch: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let cache = self.clone();
        tokio::spawn(async move {
            // Cleared however the refresh ends, a panic included, so a later caller can
            // start the next one.
            let _done = Refreshing(cache.inner.clone());
            match fetch().await {
                Ok(v) => cache.store(v),
                Err(e) => {
                    tracing::warn!(error = %e, "background refresh failed; the stale copy stays")
                }
            }
        });
    }
}

/// Marks the end of a background refresh when dropped.
struct Refreshing<T>(Arc<Inner<T>>);

impl<T> Drop for Refreshing<T> {
    fn drop(&mut self) {
        self.0.refreshing.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn policy() {
        let (fresh, stale) = (10 * MS, 100 * MS);
        assert_eq!(freshness(None, fresh, stale), Freshness::Missing);
        assert_eq!(freshness(Some(MS), fresh, stale), Freshness::Fresh);
        assert_eq!(freshness(Some(10 * MS), fresh, stale), Freshness::Stale);
        assert_eq!(freshness(Some(99 * MS), fresh, stale), Freshness::Stale);
        assert_eq!(freshness(Some(100 * MS), fresh, stale), Freshness::Missing);
    }

    /// A fetcher that counts its calls and answers with the call number, after `delay`.
    fn counter(
        calls: &Arc<AtomicU32>,
        delay: Duration,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>
           + Send
           + 'static {
        let calls = calls.clone();
        move || {
            Box::pin(async move {
                tokio::time::sleep(delay).await;
                Ok(calls.fetch_add(1, Ordering::SeqCst) + 1)
            })
        }
    }

    #[tokio::test]
    async fn fresh_copy_is_served_without_fetching() {
        let cache = SwrCache::new(Duration::from_secs(60), Duration::from_secs(600));
        let calls = Arc::new(AtomicU32::new(0));
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(1));
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(1));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn concurrent_callers_without_a_copy_share_one_fetch() {
        let cache = SwrCache::new(Duration::from_secs(60), Duration::from_secs(600));
        let calls = Arc::new(AtomicU32::new(0));
        let (a, b, c) = tokio::join!(
            cache.get(counter(&calls, 30 * MS)),
            cache.get(counter(&calls, 30 * MS)),
            cache.get(counter(&calls, 30 * MS)),
        );
        assert_eq!((a, b, c), (Ok(1), Ok(1), Ok(1)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn stale_copy_is_served_at_once_and_refreshed_once_behind() {
        let cache = SwrCache::new(5 * MS, Duration::from_secs(600));
        let calls = Arc::new(AtomicU32::new(0));
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(1));
        tokio::time::sleep(10 * MS).await;
        // Stale: both callers get the old value immediately, and only one refresh starts,
        // although the refresh takes far longer than these calls.
        let started = Instant::now();
        assert_eq!(cache.get(counter(&calls, 50 * MS)).await, Ok(1));
        assert_eq!(cache.get(counter(&calls, 50 * MS)).await, Ok(1));
        assert!(
            started.elapsed() < 40 * MS,
            "a stale copy must not wait for the refresh"
        );
        tokio::time::sleep(80 * MS).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // The refresh replaced the copy.
        assert_eq!(cache.peek().1, Some(2));
    }

    #[tokio::test]
    async fn failures_are_not_kept() {
        let cache: SwrCache<u32> = SwrCache::new(Duration::from_secs(60), Duration::from_secs(600));
        let failed = cache
            .get(|| async { Err::<u32, String>("AgentOS is down".into()) })
            .await;
        assert_eq!(failed, Err("AgentOS is down".into()));
        let calls = Arc::new(AtomicU32::new(0));
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(1));
    }

    #[tokio::test]
    async fn a_refresh_that_panics_does_not_stop_later_refreshes() {
        let cache = SwrCache::new(5 * MS, Duration::from_secs(600));
        let calls = Arc::new(AtomicU32::new(0));
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(1));
        tokio::time::sleep(10 * MS).await;
        let stale = cache.get(|| async { panic!("the fetch panicked") }).await;
        assert_eq!(stale, Ok::<u32, String>(1));
        tokio::time::sleep(50 * MS).await;
        assert_eq!(
            cache.get(counter(&calls, MS)).await,
            Ok(1),
            "still the stale copy"
        );
        tokio::time::sleep(50 * MS).await;
        assert_eq!(cache.peek().1, Some(2), "the next refresh ran");
    }

    #[tokio::test]
    async fn a_copy_too_old_to_serve_is_fetched_again() {
        let cache = SwrCache::new(MS, 5 * MS);
        let calls = Arc::new(AtomicU32::new(0));
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(1));
        tokio::time::sleep(10 * MS).await;
        assert_eq!(cache.get(counter(&calls, MS)).await, Ok(2));
    }
}
