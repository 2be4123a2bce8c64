//! Refuses secrets that are placeholders or too guessable to be one: the values of
//! `.env.example`, anything that says `change-me` or `example`, one character or one short run
//! repeated, or too little variety to be random.

use super::ConfigError;

/// What a value must have to be accepted as a secret.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Strength {
    /// Fewest distinct characters.
    pub(crate) min_distinct: usize,
    /// Fewest bits by the Shannon estimate: length × entropy of the character frequencies.
    pub(crate) min_bits: f64,
}

/// For `JWT_SECRET`: as much as 32 random bytes would give, roughly.
pub(crate) const SIGNING_SECRET: Strength = Strength { min_distinct: 10, min_bits: 128.0 };
/// For `ADMIN_PASSWORD`.
pub(crate) const PASSWORD: Strength = Strength { min_distinct: 5, min_bits: 30.0 };

/// The placeholder values of `.env.example`, refused as they are.
const ENV_EXAMPLE_VALUES: [&str; 2] =
    ["generate-with-openssl-rand-base64-48", "a-long-admin-password"];
/// Words that only placeholders contain.
const PLACEHOLDER_WORDS: [&str; 8] = [
    "change-me",
    "change_me",
    "changeme",
    "change me",
    "generate-with",
    "example",
    "placeholder",
    "replace-me",
];
/// Whole values that only placeholders are.
const PLACEHOLDER_VALUES: [&str; 4] = ["secret", "password", "admin", "test"];

/// Checks `value` for `variable`, with a message that says what to do instead.
pub(crate) fn check(variable: &str, value: &str, strength: Strength) -> Result<(), ConfigError> {
    if looks_like_a_placeholder(value) {
        return Err(ConfigError::new(
            variable,
            "is a placeholder value; set a real secret (`openssl rand -base64 48`)",
        ));
    }
    if repeats_a_shorter_run(value) {
        return Err(ConfigError::new(
            variable,
            "repeats one short run of characters; use a random value",
        ));
    }
    let distinct = distinct_characters(value);
    if distinct < strength.min_distinct || estimated_bits(value) < strength.min_bits {
        return Err(ConfigError::new(
            variable,
            format!("has too little entropy ({distinct} distinct characters); use a random value"),
        ));
    }
    Ok(())
}

fn looks_like_a_placeholder(value: &str) -> bool {
    let lower = value.trim().to_lowercase();
    ENV_EXAMPLE_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_WORDS.iter().any(|word| lower.contains(word))
}

/// `abcabcabc`, `aaaa`: the value is one shorter run, repeated.
fn repeats_a_shorter_run(value: &str) -> bool {
    let characters: Vec<char> = value.chars().collect();
    let length = characters.len();
    (1..=length / 2).any(|period| {
        length.is_multiple_of(period)
            && characters.chunks(period).all(|chunk| chunk == &characters[..period])
    })
}

fn distinct_characters(value: &str) -> usize {
    let mut characters: Vec<char> = value.chars().collect();
    characters.sort_unstable();
    characters.dedup();
    characters.len()
}

/// Length × Shannon entropy of the character frequencies: an upper bound of the real entropy,
/// so a value below it is certainly weak.
fn estimated_bits(value: &str) -> f64 {
    let mut characters: Vec<char> = value.chars().collect();
    characters.sort_unstable();
    let length = as_f64(characters.len());
    let entropy: f64 = characters
        .chunk_by(|left, right| left == right)
        .map(|run| {
            let share = as_f64(run.len()) / length;
            -share * share.log2()
        })
        .sum();
    entropy * length
}

/// A count as a float; counts here are lengths of configuration values, far below 2^32.
fn as_f64(count: usize) -> f64 {
    f64::from(u32::try_from(count).unwrap_or(u32::MAX))
}
