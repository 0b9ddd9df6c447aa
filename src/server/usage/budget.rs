//! Budgets: how much a person may spend per period, in tokens or in cost, and what they
//! have left. Periods are UTC days, UTC calendar months, or fixed windows of a length
//! (counted from the Unix epoch) for short trial budgets.

use std::fmt;

use time::{Date, Month, OffsetDateTime, Time};

/// How often a budget starts again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Day,
    Month,
    /// A fixed window of this many seconds.
    Every(u64),
}

impl Period {
    /// `day`, `month`, or a length such as `90s`, `15m`, `2h`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "day" => return Ok(Period::Day),
            "month" => return Ok(Period::Month),
            _ => {}
        }
        let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let n: u64 = n.parse().map_err(|_| Self::expected(s))?;
        let secs = match unit {
            "s" => n,
            "m" => n * 60,
            "h" => n * 3600,
            _ => return Err(Self::expected(s)),
        };
        if secs == 0 {
            return Err(format!("a budget period of \"{s}\" never resets"));
        }
        Ok(Period::Every(secs))
    }

    fn expected(s: &str) -> String {
        format!("\"{s}\" is not a period: use \"day\", \"month\" or a length such as \"90s\", \"15m\", \"2h\"")
    }

    /// Its name in keys, metrics and the policy file.
    pub fn name(self) -> String {
        match self {
            Period::Day => "day".into(),
            Period::Month => "month".into(),
            Period::Every(s) => format!("{s}s"),
        }
    }

    /// The window holding `at` (Unix seconds): its start and its end (exclusive).
    pub fn window(self, at: i64) -> (i64, i64) {
        match self {
            Period::Every(len) => {
                let len = len as i64;
                let start = at.div_euclid(len) * len;
                (start, start + len)
            }
            Period::Day => {
                let start = at.div_euclid(86_400) * 86_400;
                (start, start + 86_400)
            }
            Period::Month => {
                let date = OffsetDateTime::from_unix_timestamp(at)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                    .date();
                let first = |y: i32, m: Month| {
                    Date::from_calendar_date(y, m, 1)
                        .map(|d| d.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp())
                        .unwrap_or(0)
                };
                let (ny, nm) = match date.month() {
                    Month::December => (date.year() + 1, Month::January),
                    m => (date.year(), m.next()),
                };
                (first(date.year(), date.month()), first(ny, nm))
            }
        }
    }
}

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    Tokens,
    /// Estimated cost, in millionths of the price table's currency.
    Cost,
}

/// One budget: at most `limit` of `measure` per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub period: Period,
    pub measure: Measure,
    pub limit: u64,
}

/// Tokens and estimated cost (millionths of the currency) spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spend {
    pub tokens: u64,
    pub cost: u64,
}

impl Spend {
    pub fn of(&self, measure: Measure) -> u64 {
        match measure {
            Measure::Tokens => self.tokens,
            Measure::Cost => self.cost,
        }
    }

    pub fn add(&mut self, other: Spend) {
        self.tokens += other.tokens;
        self.cost += other.cost;
    }
}

/// The most generous budget for each period and measure: roles add up, so the role that
/// allows more wins.
pub fn most_generous(budgets: impl IntoIterator<Item = Budget>) -> Vec<Budget> {
    let mut out: Vec<Budget> = Vec::new();
    for b in budgets {
        match out
            .iter_mut()
            .find(|o| o.period == b.period && o.measure == b.measure)
        {
            Some(o) => o.limit = o.limit.max(b.limit),
            None => out.push(b),
        }
    }
    out.sort_by_key(|b| (b.period, b.measure));
    out
}

/// Share of a budget at which people are warned.
pub const WARN_AT_PERCENT: u64 = 80;

/// One budget and what is spent of it in the current window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub budget: Budget,
    pub used: u64,
    /// When the current window ends (Unix seconds).
    pub resets_at: i64,
}

impl Standing {
    pub fn percent(&self) -> u64 {
        if self.budget.limit == 0 {
            return 100;
        }
        (self.used.saturating_mul(100) / self.budget.limit).min(999)
    }

    pub fn exhausted(&self) -> bool {
        self.used >= self.budget.limit
    }

    pub fn warns(&self) -> bool {
        self.percent() >= WARN_AT_PERCENT
    }

    pub fn remaining(&self) -> u64 {
        self.budget.limit.saturating_sub(self.used)
    }
}

/// Amounts as people read them: tokens grouped in thousands, cost with its currency.
pub struct Amount<'a> {
    pub measure: Measure,
    pub value: u64,
    pub currency: &'a str,
}

impl fmt::Display for Amount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.measure {
            Measure::Tokens => write!(f, "{} tokens", grouped(self.value)),
            Measure::Cost => write!(f, "{} {}", money(self.value), self.currency),
        }
    }
}

/// `1234567` as `1,234,567` (num-format, which the server's pages already use).
pub fn grouped(n: u64) -> String {
    use num_format::ToFormattedString;
    n.to_formatted_string(&num_format::Locale::en)
}

/// Millionths of a currency as an amount with cents (and more digits below a cent).
pub fn money(micros: u64) -> String {
    if micros > 0 && micros < 10_000 {
        let s = format!("0.{micros:06}");
        return s.trim_end_matches('0').to_owned();
    }
    let cents = (micros + 5_000) / 10_000;
    format!("{}.{:02}", grouped(cents / 100), cents % 100)
}

/// A length of time, roughly, for people: `45 s`, `12 min`, `3 h 5 min`, `4 days`.
pub fn length(secs: i64) -> String {
    let s = secs.max(0);
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", (s + 59) / 60)
    } else if s < 86_400 * 2 {
        let m = (s + 59) / 60;
        match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        }
    } else {
        format!("{} days", s / 86_400)
    }
}

/// `2026-12-07 00:00 UTC`.
pub fn utc(at: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

impl Standing {
    /// The budget's name: "daily budget of 10,000 tokens".
    pub fn name(&self, currency: &str) -> String {
        let amount = Amount {
            measure: self.budget.measure,
            value: self.budget.limit,
            currency,
        };
        match self.budget.period {
            Period::Day => format!("daily budget of {amount}"),
            Period::Month => format!("monthly budget of {amount}"),
            Period::Every(s) => format!("budget of {amount} per {}", length(s as i64)),
        }
    }

    /// Why a message is refused, and when sending works again.
    pub fn refusal(&self, now: i64, currency: &str) -> String {
        format!(
            "Your {} is used up. It starts again at {}, in {}. Your message is kept.",
            self.name(currency),
            utc(self.resets_at),
            length(self.resets_at - now)
        )
    }

    /// The warning shown from 80% on.
    pub fn warning(&self, now: i64, currency: &str) -> String {
        format!(
            "You have used {}% of your {}. It starts again at {}, in {}.",
            self.percent().min(100),
            self.name(currency),
            utc(self.resets_at),
            length(self.resets_at - now)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A moment of 2026-12-06 (UTC).
    const AT: i64 = 1_796_530_057;

    #[test]
    fn periods_parse_and_name() {
        assert_eq!(Period::parse("day"), Ok(Period::Day));
        assert_eq!(Period::parse("month"), Ok(Period::Month));
        assert_eq!(Period::parse("90s"), Ok(Period::Every(90)));
        assert_eq!(Period::parse("15m"), Ok(Period::Every(900)));
        assert_eq!(Period::parse("2h"), Ok(Period::Every(7200)));
        for bad in ["", "week", "0s", "5d", "h", "-3s"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Period::Every(90).name(), "90s");
    }

    #[test]
    fn windows_are_utc_days_months_and_epoch_aligned_lengths() {
        let t = OffsetDateTime::from_unix_timestamp(AT).unwrap();
        let (s, e) = Period::Day.window(AT);
        assert_eq!(e - s, 86_400);
        assert!(s <= AT && AT < e);
        assert_eq!(
            OffsetDateTime::from_unix_timestamp(s).unwrap().date(),
            t.date()
        );

        let (s, e) = Period::Month.window(AT);
        let start = OffsetDateTime::from_unix_timestamp(s).unwrap();
        let end = OffsetDateTime::from_unix_timestamp(e).unwrap();
        assert_eq!(
            (start.day(), start.month(), start.hour()),
            (1, t.month(), 0)
        );
        assert_eq!((end.day(), end.month()), (1, t.month().next()));

        // December rolls into January of the next year.
        let dec = Date::from_calendar_date(2026, Month::December, 31)
            .unwrap()
            .with_hms(23, 59, 59)
            .unwrap()
            .assume_utc()
            .unix_timestamp();
        let (_, e) = Period::Month.window(dec);
        assert_eq!(utc(e), "2027-01-01 00:00 UTC");

        assert_eq!(Period::Every(60).window(125), (120, 180));
        assert_eq!(Period::Every(60).window(120), (120, 180));
    }

    #[test]
    fn roles_add_up_to_the_most_generous_budget() {
        let b = |period, measure, limit| Budget {
            period,
            measure,
            limit,
        };
        let got = most_generous([
            b(Period::Day, Measure::Tokens, 100),
            b(Period::Month, Measure::Cost, 5),
            b(Period::Day, Measure::Tokens, 300),
            b(Period::Day, Measure::Cost, 1),
        ]);
        assert_eq!(
            got,
            vec![
                b(Period::Day, Measure::Tokens, 300),
                b(Period::Day, Measure::Cost, 1),
                b(Period::Month, Measure::Cost, 5),
            ]
        );
    }

    #[test]
    fn standings_warn_at_80_percent_and_refuse_at_the_limit() {
        let s = |used| Standing {
            budget: Budget {
                period: Period::Every(60),
                measure: Measure::Tokens,
                limit: 100,
            },
            used,
            resets_at: 1_000_060,
        };
        assert!(!s(79).warns());
        assert!(s(80).warns() && !s(80).exhausted());
        assert!(s(100).exhausted());
        assert_eq!(s(130).remaining(), 0);
        let msg = s(100).refusal(1_000_018, "USD");
        assert!(msg.contains("budget of 100 tokens per 1 min"), "{msg}");
        assert!(msg.contains("in 42 s"), "{msg}");
        assert!(s(85)
            .warning(1_000_000, "USD")
            .starts_with("You have used 85%"));
    }

    #[test]
    fn amounts_read_well() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(money(2_500_000), "2.50");
        assert_eq!(money(1_234_567_890), "1,234.57");
        assert_eq!(money(95), "0.000095");
        assert_eq!(money(0), "0.00");
        assert_eq!(money(9_996_000), "10.00");
        assert_eq!(length(42), "42 s");
        assert_eq!(length(61), "2 min");
        assert_eq!(length(3 * 3600 + 5 * 60), "3 h 5 min");
        assert_eq!(length(5 * 86_400), "5 days");
    }
}
