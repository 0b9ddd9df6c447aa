//! State that every replica must agree on, kept in Redis when `AGNO_CHAT_REDIS_URL` is
//! set: the per-user rate limits, the caps on answers streaming at once, and who runs
//! which answer (so that Stop works from any replica). Each is one atomic Lua script, run
//! on Redis's own clock, so that replicas whose clocks differ still agree.
//!
//! Redis lost while running is not a failure of the chat: each use says what it does
//! instead (see `docs/deployment.md`), counts `agno_chat_shared_state_errors_total{use}`
//! and logs a warning. Without a Redis address, none of this exists and every replica
//! keeps its own state (one replica).

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;
use secrecy::{ExposeSecret, SecretString};

/// Every key agno-chat writes starts with this.
const PREFIX: &str = "agno_chat:";
/// A stream slot not renewed for this long frees itself (its replica crashed).
pub const SLOT_TTL: Duration = Duration::from_secs(30);
/// How long a run's owner is remembered at most (a run streaming longer is not stoppable
/// from another replica after that).
const RUN_TTL: Duration = Duration::from_secs(6 * 3600);

/// GCRA (the algorithm `governor` uses in process): `KEYS[1]` holds the theoretical
/// arrival time in ms; `ARGV[1]` the emission interval and `ARGV[2]` the burst tolerance,
/// in ms. Returns 0 when allowed, else the ms to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then
  return tat - now - tolerance
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now + 1000)
return 0
";

/// Takes a stream slot: `KEYS[1]` the user's slots, `KEYS[2]` everyone's (sorted sets of
/// slot ids by expiry); `ARGV` the slot id, its lifetime in ms, the per-user and the
/// overall cap. Returns 0 when taken, 1 when the user is at their cap, 2 when the server
/// is, with the user's count.
const TAKE_SLOT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local mine = redis.call('ZCARD', KEYS[1])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {2, mine} end
if mine >= tonumber(ARGV[3]) then return {1, mine} end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {0, mine + 1}
";

/// Renews a slot (`ARGV[1]`, for `ARGV[2]` ms) while its answer streams.
const RENEW_SLOT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 0
";

/// Records one run's spend in a budget window (`KEYS[1]`, a hash of `run:<id>` →
/// "tokens cost", with the totals in `tokens` and `cost`), replacing the run's earlier
/// count; `ARGV`: run id, tokens, cost, the window's end in Unix seconds.
const RECORD_USAGE: &str = r"
local field = 'run:' .. ARGV[1]
local old = redis.call('HGET', KEYS[1], field)
local ot, oc = 0, 0
if old then
  local sp = string.find(old, ' ')
  ot = tonumber(string.sub(old, 1, sp - 1))
  oc = tonumber(string.sub(old, sp + 1))
end
redis.call('HSET', KEYS[1], field, ARGV[2] .. ' ' .. ARGV[3])
redis.call('HINCRBY', KEYS[1], 'tokens', tonumber(ARGV[2]) - ot)
redis.call('HINCRBY', KEYS[1], 'cost', tonumber(ARGV[3]) - oc)
redis.call('EXPIREAT', KEYS[1], tonumber(ARGV[4]) + 60)
return 0
";

/// Records `KEYS[1]`'s owner (`ARGV[1]`, their user id, then the record) unless another
/// user holds it. Returns 1 when recorded.
const CLAIM_RUN: &str = r"
local held = redis.call('GET', KEYS[1])
if held and cjson.decode(held).user_id ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
";

/// Forgets `KEYS[1]`'s owner if it is `ARGV[1]`.
const RELEASE_RUN: &str = r"
local held = redis.call('GET', KEYS[1])
if held and cjson.decode(held).user_id == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
";

/// The connection to Redis, shared by every use. Cheap to clone.
#[derive(Clone)]
pub struct Shared {
    conn: ConnectionManager,
}

/// Why a slot was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotTaken {
    Yes,
    UserFull(usize),
    ServerFull,
}

impl Shared {
    /// Connects and checks Redis answers; the error names the variable and says why.
    pub async fn connect(url: &SecretString) -> Result<Self, String> {
        let why = |e: redis::RedisError| {
            format!(
                "AGNO_CHAT_REDIS_URL: Redis cannot be used: {}",
                e.to_string().replace(url.expose_secret(), "<url>")
            )
        };
        let client = redis::Client::open(url.expose_secret()).map_err(why)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let mut conn = tokio::time::timeout(
            Duration::from_secs(5),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| "AGNO_CHAT_REDIS_URL: Redis did not answer within 5 s".to_owned())?
        .map_err(why)?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(why)?;
        Ok(Self { conn })
    }

    /// `Ok(Err(wait))` when `key` must wait (GCRA: `per_minute`, bursts of `burst`).
    pub async fn check_rate(
        &self,
        limit: &str,
        key: &str,
        per_minute: u32,
        burst: u32,
    ) -> Result<Result<(), Duration>, redis::RedisError> {
        let interval = 60_000 / u64::from(per_minute.max(1));
        let tolerance = interval * u64::from(burst.max(1) - 1);
        let wait: u64 = Script::new(GCRA)
            .key(format!("{PREFIX}rate:{limit}:{key}"))
            .arg(interval)
            .arg(tolerance)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(if wait == 0 {
            Ok(())
        } else {
            Err(Duration::from_millis(wait))
        })
    }

    /// Takes a stream slot `slot` for `user` under the caps.
    pub async fn take_slot(
        &self,
        user: &str,
        slot: &str,
        per_user: usize,
        total: usize,
    ) -> Result<SlotTaken, redis::RedisError> {
        let (code, mine): (u8, usize) = Script::new(TAKE_SLOT)
            .key(format!("{PREFIX}streams:user:{user}"))
            .key(format!("{PREFIX}streams:all"))
            .arg(slot)
            .arg(SLOT_TTL.as_millis() as u64)
            .arg(per_user)
            .arg(total)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(match code {
            0 => SlotTaken::Yes,
            1 => SlotTaken::UserFull(mine),
            _ => SlotTaken::ServerFull,
        })
    }

    pub async fn renew_slot(&self, user: &str, slot: &str) -> Result<(), redis::RedisError> {
        Script::new(RENEW_SLOT)
            .key(format!("{PREFIX}streams:user:{user}"))
            .key(format!("{PREFIX}streams:all"))
            .arg(slot)
            .arg(SLOT_TTL.as_millis() as u64)
            .invoke_async::<()>(&mut self.conn.clone())
            .await
    }

    pub async fn free_slot(&self, user: &str, slot: &str) -> Result<(), redis::RedisError> {
        redis::pipe()
            .zrem(format!("{PREFIX}streams:user:{user}"), slot)
            .zrem(format!("{PREFIX}streams:all"), slot)
            .query_async::<()>(&mut self.conn.clone())
            .await
    }

    /// Records who runs `run_id` (`record`: JSON with its `user_id`); `false` when
    /// another user holds it.
    pub async fn claim_run(
        &self,
        run_id: &str,
        user_id: &str,
        record: &str,
    ) -> Result<bool, redis::RedisError> {
        let done: u8 = Script::new(CLAIM_RUN)
            .key(format!("{PREFIX}run:{run_id}"))
            .arg(user_id)
            .arg(record)
            .arg(RUN_TTL.as_secs())
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(done == 1)
    }

    pub async fn release_run(&self, run_id: &str, user_id: &str) -> Result<(), redis::RedisError> {
        Script::new(RELEASE_RUN)
            .key(format!("{PREFIX}run:{run_id}"))
            .arg(user_id)
            .invoke_async::<()>(&mut self.conn.clone())
            .await
    }

    /// The record of who runs `run_id`, if any replica runs it.
    pub async fn run(&self, run_id: &str) -> Result<Option<String>, redis::RedisError> {
        redis::cmd("GET")
            .arg(format!("{PREFIX}run:{run_id}"))
            .query_async(&mut self.conn.clone())
            .await
    }
}

impl Shared {
    /// How many times `conversation`'s runs were changed in place (regenerated, deleted)
    /// through any replica.
    pub async fn history_generation(&self, conversation: &str) -> Result<u64, redis::RedisError> {
        let n: Option<u64> = redis::cmd("GET")
            .arg(format!("{PREFIX}history:{conversation}"))
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(n.unwrap_or(0))
    }

    /// Counts one more in-place change of `conversation`'s runs.
    pub async fn bump_history(&self, conversation: &str) -> Result<(), redis::RedisError> {
        let key = format!("{PREFIX}history:{conversation}");
        redis::pipe()
            .incr(&key, 1)
            .expire(&key, 7 * 24 * 3600)
            .query_async::<()>(&mut self.conn.clone())
            .await
    }

    /// Records `tokens` and `cost` as `run_id`'s spend in the budget window `window` (ending
    /// at `end`, Unix seconds); see [`RECORD_USAGE`].
    pub async fn record_usage(
        &self,
        window: &str,
        end: i64,
        run_id: &str,
        tokens: u64,
        cost: u64,
    ) -> Result<(), redis::RedisError> {
        Script::new(RECORD_USAGE)
            .key(format!("{PREFIX}usage:{window}"))
            .arg(run_id)
            .arg(tokens)
            .arg(cost)
            .arg(end)
            .invoke_async::<()>(&mut self.conn.clone())
            .await
    }

    /// What was spent in a budget window: tokens and cost.
    pub async fn usage_total(&self, window: &str) -> Result<(u64, u64), redis::RedisError> {
        let (t, c): (Option<u64>, Option<u64>) = redis::cmd("HMGET")
            .arg(format!("{PREFIX}usage:{window}"))
            .arg("tokens")
            .arg("cost")
            .query_async(&mut self.conn.clone())
            .await?;
        Ok((t.unwrap_or(0), c.unwrap_or(0)))
    }

    /// Remembers the name a person's identity provider gave, for the usage pages.
    pub async fn set_name(&self, user: &str, name: &str) -> Result<(), redis::RedisError> {
        redis::cmd("HSET")
            .arg(format!("{PREFIX}names"))
            .arg(user)
            .arg(name)
            .query_async::<()>(&mut self.conn.clone())
            .await
    }

    /// The names remembered for `users` (in their order; `None` where there is none).
    pub async fn names(&self, users: &[String]) -> Result<Vec<Option<String>>, redis::RedisError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        redis::cmd("HMGET")
            .arg(format!("{PREFIX}names"))
            .arg(users)
            .query_async(&mut self.conn.clone())
            .await
    }
}

/// Redis failed for `use_`: counted, logged; the caller does what its use documents.
pub fn failed(use_: &'static str, e: &redis::RedisError) {
    metrics::counter!("agno_chat_shared_state_errors_total", "use" => use_).increment(1);
    tracing::warn!(r#use = use_, error = %e, "Redis failed; going on without it for this request");
}
