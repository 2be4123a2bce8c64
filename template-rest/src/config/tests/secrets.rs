//! Secrets: placeholders and weak values stop startup; real ones pass.

use super::{Config, error_for};

#[test]
fn placeholder_secrets_stop_startup_naming_the_variable() {
    let url = ("DATABASE_URL", "sqlite::memory:");
    let admin = ("ADMIN_EMAIL", "root@example.com");
    let refused_secrets = [
        "generate-with-openssl-rand-base64-48",
        "change-me-0123456789abcdefghijklmnopqrstuvwxyz",
        "CHANGEME_0123456789abcdefghijklmnopqrstuvwxyz",
        "placeholder-0123456789abcdefghijklmnopqrstuvwxyz",
        "an-example-0123456789abcdefghijklmnopqrstuvwxyz",
        "abcdefghijabcdefghijabcdefghijabcdefghij",
        "0123456789012345678901234567890123456789",
    ];
    for secret in refused_secrets {
        let error = error_for(&[url, ("JWT_SECRET", secret)]);
        assert_eq!(error.variable, "JWT_SECRET", "{secret}: {error}");
    }
    let refused_passwords = [
        "a-long-admin-password",
        "please-change-me",
        "aaaaaaaaaaaaaaaa",
        "abcabcabcabcabcabc",
        "placeholder password",
        "secret",
        "example password",
    ];
    for password in refused_passwords {
        let error = error_for(&[url, admin, ("ADMIN_PASSWORD", password)]);
        assert_eq!(error.variable, "ADMIN_PASSWORD", "{password}: {error}");
    }
    let error = error_for(&[url, ("JWT_SECRET", "generate-with-openssl-rand-base64-48")]);
    assert!(error.message.contains("placeholder"), "{error}");
}

#[test]
fn real_secrets_are_accepted() {
    let url = ("DATABASE_URL", "sqlite::memory:");
    for secret in [
        "q5tM0Zb3yC2x8Xk1aV9nR7uL4pW6sJ0dE3fG8hI2jK5lN1oP7rS4tU9vW2xY6zA=",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ] {
        assert!(Config::from_vars(&[url, ("JWT_SECRET", secret)]).is_ok(), "{secret}");
    }
    for password in ["a long admin password", "Tr0ub4dor&3-horse"] {
        let vars = [url, ("ADMIN_EMAIL", "root@example.com"), ("ADMIN_PASSWORD", password)];
        assert!(Config::from_vars(&vars).is_ok(), "{password}");
    }
}
