//! Dutch notation of money and time: a leaf that rules, views and exports all use.
//!
//! The Netherlands use CET (UTC+1) and CEST (UTC+2) from the last Sunday of March to the last
//! Sunday of October, switching at 01:00 UTC; that rule is all this needs, so no time zone
//! database is linked in.

/// An amount in euro cents in Dutch notation: `€ 1.250,00`.
pub fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}€ {},{:02}", thousands(cents / 100), cents % 100)
}

/// A whole number with Dutch thousands separators: `150.000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    grouped
}

/// A Unix time in milliseconds as Dutch local time, `23-11-2026 17:05`, and as the ISO 8601
/// UTC instant it stands for, `2026-11-23T16:05Z` (for a `<time datetime>`).
pub fn dutch_time(millis: i64) -> (String, String) {
    let seconds = millis.div_euclid(1000);
    let (year, month, day, minutes) = civil(dutch_local(seconds));
    let text = format!(
        "{day:02}-{month:02}-{year} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    );
    let iso = {
        let (y, m, d, min) = civil(seconds);
        format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}Z", min / 60, min % 60)
    };
    (text, iso)
}

/// (year, month, day, hour, minute) in the Netherlands of a Unix time in milliseconds.
pub fn dutch_parts(millis: i64) -> (i64, u32, u32, u32, u32) {
    let (year, month, day, minutes) = civil(dutch_local(millis.div_euclid(1000)));
    (
        year,
        month,
        day,
        (minutes / 60) as u32,
        (minutes % 60) as u32,
    )
}

/// The months' Dutch names, January first.
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A day in Dutch words: "3 maart 2027".
pub fn dutch_long_date(millis: i64) -> String {
    let (year, month, day, _, _) = dutch_parts(millis);
    format!("{day} {} {year}", MONTHS[(month as usize).clamp(1, 12) - 1])
}

/// (year, month, day, hour, minute) in UTC of a Unix time in milliseconds.
pub fn utc_parts(millis: i64) -> (i64, u32, u32, u32, u32) {
    let (year, month, day, minutes) = civil(millis.div_euclid(1000));
    (
        year,
        month,
        day,
        (minutes / 60) as u32,
        (minutes % 60) as u32,
    )
}

/// A moment as short Dutch words relative to `now` (both Unix milliseconds): "vandaag 14:05",
/// "gisteren 09:30", "3 dagen geleden", and the date (dd-mm-jjjj) from a week back on.
pub fn compact_time(millis: i64, now: i64) -> String {
    let local = dutch_local(millis.div_euclid(1000));
    let days_ago = dutch_local(now.div_euclid(1000)).div_euclid(86_400) - local.div_euclid(86_400);
    let minutes = local.rem_euclid(86_400) / 60;
    let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    match days_ago {
        i64::MIN..=0 => format!("vandaag {clock}"),
        1 => format!("gisteren {clock}"),
        2..=6 => format!("{days_ago} dagen geleden"),
        _ => {
            let (year, month, day, _) = civil(local);
            format!("{day:02}-{month:02}-{year}")
        }
    }
}

/// The Dutch name of a month with its year: "juli 2026".
pub fn month_dutch(year: i32, month: u32) -> String {
    let name = MONTHS
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} {year}")
}

/// The date in the Netherlands of a Unix time in milliseconds, as `YYYY-MM-DD`.
pub fn dutch_date(millis: i64) -> String {
    let (year, month, day, _) = civil(dutch_local(millis.div_euclid(1000)));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The moment (Unix ms) that Dutch local time `jjjj-mm-dd` `uu:mm` names; `None` for a date or
/// time that does not exist, including the hour skipped when summer time starts. In the hour
/// that occurs twice in October, the first (summer time) is meant.
pub fn from_dutch_local(date: &str, time: &str) -> Option<i64> {
    let mut d = date.split('-');
    let (year, month, day) = (d.next()?, d.next()?, d.next()?);
    let mut t = time.split(':');
    let (hour, minute) = (t.next()?, t.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if d.next().is_some()
        || t.next().is_some()
        || !digits(year, 4)
        || !digits(month, 2)
        || !digits(day, 2)
        || !digits(hour, 2)
        || !digits(minute, 2)
    {
        return None;
    }
    let (year, month, day): (i64, u32, u32) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let (hour, minute): (i64, i64) = (hour.parse().ok()?, minute.parse().ok()?);
    if !(1..=12).contains(&month) || day == 0 || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // A day past the month's end comes back as another date.
    if civil(days * 86_400).1 != month {
        return None;
    }
    let local = days * 86_400 + hour * 3600 + minute * 60;
    // Summer time first, then winter time: the one that reads back as this local time.
    [7200, 3600]
        .into_iter()
        .map(|offset| local - offset)
        .find(|utc| dutch_local(*utc) == local)
        .map(|utc| utc * 1000)
}

/// A Unix time in seconds moved to Dutch local time (CET or CEST).
fn dutch_local(seconds: i64) -> i64 {
    let (year, ..) = civil(seconds);
    let start = last_sunday_seconds(year, 3) + 3600;
    let end = last_sunday_seconds(year, 10) + 3600;
    seconds
        + if (start..end).contains(&seconds) {
            7200
        } else {
            3600
        }
}

/// (year, month, day, minute of the day) of a Unix time in seconds, UTC.
fn civil(seconds: i64) -> (i64, u32, u32, i64) {
    let days = seconds.div_euclid(86_400);
    let minutes = seconds.rem_euclid(86_400) / 60;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, minutes)
}

/// Days since the epoch of a civil date (the inverse of `civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Midnight UTC, in seconds, of the last Sunday of a 31-day month.
fn last_sunday_seconds(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, 31);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    let weekday = (last + 4).rem_euclid(7);
    (last - weekday) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(millis: i64) -> String {
        dutch_time(millis).0
    }

    #[test]
    fn dutch_local_time_names_one_moment_across_daylight_saving() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            text(from_dutch_local("2027-03-03", "14:00").unwrap()),
            "03-03-2027 14:00"
        );
        assert_eq!(
            from_dutch_local("2027-03-03", "14:00"),
            Some(1_804_078_800_000)
        );
        assert_eq!(
            text(from_dutch_local("2027-07-01", "09:30").unwrap()),
            "01-07-2027 09:30"
        );
        // 28 March 2027, 02:30 does not exist; 31 October 2027, 02:30 exists twice.
        assert_eq!(from_dutch_local("2027-03-28", "02:30"), None);
        let twice = from_dutch_local("2027-10-31", "02:30").unwrap();
        assert_eq!(text(twice), "31-10-2027 02:30");
        assert_eq!(
            text(twice + 3_600_000),
            "31-10-2027 02:30",
            "the second one is an hour later"
        );
        for bad in [
            ("2027-02-30", "10:00"),
            ("2027-13-01", "10:00"),
            ("2027-01-01", "24:00"),
            ("27-01-01", "10:00"),
            ("2027-01-01", "9:00"),
        ] {
            assert_eq!(from_dutch_local(bad.0, bad.1), None, "{bad:?}");
        }
    }

    #[test]
    fn a_day_in_dutch_words() {
        assert_eq!(
            dutch_long_date(from_dutch_local("2027-03-03", "14:00").unwrap()),
            "3 maart 2027"
        );
        assert_eq!(
            dutch_long_date(from_dutch_local("2027-12-31", "23:30").unwrap()),
            "31 december 2027"
        );
    }

    #[test]
    fn formats_euros_in_dutch_notation() {
        assert_eq!(euro(0), "€ 0,00");
        assert_eq!(euro(5), "€ 0,05");
        assert_eq!(euro(125_000), "€ 1.250,00");
        assert_eq!(euro(123_456_789), "€ 1.234.567,89");
        assert_eq!(euro(-99_950), "-€ 999,50");
    }

    #[test]
    fn shows_dutch_local_time_across_daylight_saving() {
        // 2026-11-23T16:24:00Z is 17:24 in winter time.
        assert_eq!(text(1_795_451_040_000), "23-11-2026 17:24");
        // 2026-07-01T10:00:00Z is 12:00 in summer time.
        assert_eq!(text(1_782_900_000_000), "01-07-2026 12:00");
        // Summer time starts 2026-03-29 at 01:00 UTC.
        assert_eq!(text(1_774_745_999_000), "29-03-2026 01:59");
        assert_eq!(text(1_774_746_000_000), "29-03-2026 03:00");
        // A date crossing midnight by the offset.
        assert_eq!(text(1_798_761_599_000), "01-01-2027 00:59");
    }

    #[test]
    fn compact_times_say_today_yesterday_days_or_the_date() {
        // 2026-11-23 12:00 UTC is 13:00 in Amsterdam (winter time).
        let now = 1_795_435_200_000;
        assert_eq!(compact_time(now - 3_600_000, now), "vandaag 12:00");
        assert_eq!(compact_time(now - 86_400_000, now), "gisteren 13:00");
        assert_eq!(compact_time(now - 3 * 86_400_000, now), "3 dagen geleden");
        assert_eq!(compact_time(now - 10 * 86_400_000, now), "13-11-2026");
        assert_eq!(
            compact_time(now + 60_000, now),
            "vandaag 13:01",
            "a clock a little ahead"
        );
    }
}
