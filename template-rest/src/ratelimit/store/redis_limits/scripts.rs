//! The Lua scripts that make each decision in one round trip. Each reads the time from Redis
//! (`TIME`), so replicas with skewed clocks still agree, and sets an expiry on every key it
//! writes, so Redis holds only the keys that still limit someone. Redis 5 or later (scripts
//! that read `TIME` before writing need effects replication, the default since 5).

/// GCRA, the token bucket as one timestamp: the key holds the theoretical arrival time (TAT)
/// in microseconds. `ARGV[1]`: microseconds between two tokens; `ARGV[2]`: the burst. Answers 0
/// when the request may proceed, else the microseconds to wait. The key expires when the
/// bucket is full again.
pub(super) const GCRA: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local wait = tat + interval - burst * interval - now
if wait > 0 then
  return wait
end
local next_tat = tat + interval
local ttl = math.ceil((next_tat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', string.format('%d', ttl))
return 0
";

/// Whether a login-throttle key must wait: the milliseconds left, or 0.
pub(super) const THROTTLE_CHECK: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local blocked_until = tonumber(redis.call('HGET', KEYS[1], 'until'))
if blocked_until and blocked_until > now then
  return blocked_until - now
end
return 0
";

/// One more failure on a login-throttle key. `ARGV[1]`: failures before the first delay;
/// `ARGV[2]`: the longest delay in milliseconds; `ARGV[3]`: how long the key is kept after
/// its last failure, in milliseconds. Past the threshold each failure waits 1 s, 2 s, 4 s…
/// Answers the number of failures.
pub(super) const THROTTLE_FAILURE: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local excess = count - tonumber(ARGV[1]) - 1
if excess >= 0 then
  local delay = math.min(2 ^ math.min(excess, 40) * 1000, tonumber(ARGV[2]))
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + delay))
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return count
";

/// A success clears the key.
pub(super) const THROTTLE_SUCCESS: &str = "return redis.call('DEL', KEYS[1])";

/// What [`GCRA`] computes, as a pure function: from the stored TAT (if any) at `now`, either
/// the TAT to store (`Ok`) or the wait (`Err`), all in microseconds.
#[cfg(test)]
pub(super) fn gcra(now: u64, tat: Option<u64>, interval: u64, burst: u64) -> Result<u64, u64> {
    let tat = tat.unwrap_or(now).max(now);
    let allowed_at = (tat + interval).saturating_sub(burst * interval);
    if allowed_at > now {
        return Err(allowed_at - now);
    }
    Ok(tat + interval)
}

#[cfg(test)]
mod tests {
    use super::gcra;

    #[test]
    fn a_fresh_bucket_allows_its_burst_then_asks_to_wait_one_interval() {
        let (interval, burst, now) = (1_000, 3, 5_000_000);
        let mut tat = None;
        for _ in 0..burst {
            tat = Some(gcra(now, tat, interval, burst).unwrap());
        }
        assert_eq!(tat, Some(now + 3 * interval));
        assert_eq!(gcra(now, tat, interval, burst), Err(interval));
        assert_eq!(gcra(now + 999, tat, interval, burst), Err(1));
        assert_eq!(gcra(now + interval, tat, interval, burst), Ok(now + 4 * interval));
    }

    #[test]
    fn a_quiet_bucket_refills_but_never_past_its_burst() {
        let (interval, burst, now) = (1_000, 2, 5_000_000);
        let mut tat = Some(now + 2 * interval);
        let later = now + 100 * interval;
        for taken in 1..=burst {
            tat = Some(gcra(later, tat, interval, burst).unwrap());
            assert_eq!(tat, Some(later + taken * interval));
        }
        assert_eq!(gcra(later, tat, interval, burst), Err(interval), "no more than the burst");
    }

    #[test]
    fn a_burst_of_one_is_one_request_per_interval() {
        let (interval, now) = (250, 10_000);
        let tat = gcra(now, None, interval, 1).unwrap();
        assert_eq!(gcra(now + 100, Some(tat), interval, 1), Err(150));
        assert_eq!(gcra(now + 250, Some(tat), interval, 1), Ok(now + 500));
    }
}
