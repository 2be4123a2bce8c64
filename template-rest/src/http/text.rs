//! Rules for free text in request bodies and queries, shared by the handlers.

use validator::ValidationError;

/// Rejects text with a NUL character (U+0000), which PostgreSQL cannot store or compare: on
/// either database such text is a 422, never a 500.
pub(crate) fn no_nul(text: &str) -> Result<(), ValidationError> {
    if text.contains('\0') {
        return Err(
            ValidationError::new("nul").with_message("must not contain NUL characters".into())
        );
    }
    Ok(())
}

/// A display name: not blank, and no NUL.
pub(crate) fn valid_name(text: &str) -> Result<(), ValidationError> {
    not_blank(text)?;
    no_nul(text)
}

/// Rejects names made only of spaces. Empty names are left to the length rule.
pub(crate) fn not_blank(text: &str) -> Result<(), ValidationError> {
    if !text.is_empty() && text.trim().is_empty() {
        return Err(ValidationError::new("blank").with_message("must not be blank".into()));
    }
    Ok(())
}
