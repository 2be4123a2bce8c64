//! The realtime template. Its issue has not landed yet: this crate is an empty workspace member.
