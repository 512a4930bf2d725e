//! Figures that are costly to compute and may lag a few minutes, kept in memory per key.
//! Only one load runs at a time, so fifty requests that miss at once read the database
//! once, not fifty times; the others wait and take what it read.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

/// A value and when it was read.
pub struct Cached<T> {
    pub value: Arc<T>,
    pub read_at: OffsetDateTime,
}

struct Entry {
    loaded: Instant,
    read_at: OffsetDateTime,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, Entry>>,
    loading: tokio::sync::Mutex<()>,
}

/// At most this many keys are kept; the oldest goes first.
const MAX_ENTRIES: usize = 256;

impl Cache {
    /// The value under `key` if it was read less than `max_age` ago, else what `load`
    /// reads now (and keeps). A failed load keeps nothing.
    pub async fn get_or_load<T, E, F, Fut>(
        &self,
        key: &str,
        max_age: Duration,
        load: F,
    ) -> Result<Cached<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(hit) = self.fresh(key, max_age) {
            return Ok(hit);
        }
        let _one_at_a_time = self.loading.lock().await;
        if let Some(hit) = self.fresh(key, max_age) {
            return Ok(hit);
        }
        let value = Arc::new(load().await?);
        let read_at = crate::clock::now();
        if !max_age.is_zero() {
            let mut entries = self.entries.lock().expect("cache lock");
            entries.retain(|_, e| e.loaded.elapsed() < max_age);
            if entries.len() >= MAX_ENTRIES
                && let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.loaded)
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
            entries.insert(
                key.to_string(),
                Entry {
                    loaded: Instant::now(),
                    read_at,
                    value: value.clone(),
                },
            );
        }
        Ok(Cached { value, read_at })
    }

    fn fresh<T: Send + Sync + 'static>(&self, key: &str, max_age: Duration) -> Option<Cached<T>> {
        let entries = self.entries.lock().expect("cache lock");
        let entry = entries.get(key)?;
        if entry.loaded.elapsed() >= max_age {
            return None;
        }
        let value = entry.value.clone().downcast::<T>().ok()?;
        Some(Cached {
            value,
            read_at: entry.read_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fresh_value_is_reused_and_a_stale_or_failed_one_is_not() {
        let cache = Cache::default();
        let minute = Duration::from_secs(60);
        let first: Cached<i32> = cache
            .get_or_load("a", minute, || async { Ok::<_, ()>(1) })
            .await
            .unwrap();
        let again: Cached<i32> = cache
            .get_or_load("a", minute, || async { Ok::<_, ()>(2) })
            .await
            .unwrap();
        assert_eq!((*first.value, *again.value), (1, 1));
        assert_eq!(first.read_at, again.read_at);
        let other: Cached<i32> = cache
            .get_or_load("b", minute, || async { Ok::<_, ()>(3) })
            .await
            .unwrap();
        assert_eq!(*other.value, 3);
        // Max age 0: always read.
        let now: Cached<i32> = cache
            .get_or_load("a", Duration::ZERO, || async { Ok::<_, ()>(4) })
            .await
            .unwrap();
        assert_eq!(*now.value, 4);
        let failed: Result<Cached<i32>, &str> = cache
            .get_or_load("c", minute, || async { Err("down") })
            .await;
        assert!(failed.is_err());
        let after: Cached<i32> = cache
            .get_or_load("c", minute, || async { Ok::<_, &str>(5) })
            .await
            .unwrap();
        assert_eq!(*after.value, 5, "a failed load is not kept");
    }
}
